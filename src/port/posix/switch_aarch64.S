/* SPDX-License-Identifier: Apache-2.0 */
/* Coroutine switch for AArch64 (AAPCS64): saves x19-x30 and d8-d15 on the
 * current stack, stores sp, loads the other one and restores from it. */
    .text
    .globl  httpd__coro_switch
    .type   httpd__coro_switch, %function
httpd__coro_switch:              /* x0 = void **save_sp, x1 = void *new_sp */
    sub     sp, sp, #176
    stp     x19, x20, [sp, #0]
    stp     x21, x22, [sp, #16]
    stp     x23, x24, [sp, #32]
    stp     x25, x26, [sp, #48]
    stp     x27, x28, [sp, #64]
    stp     x29, x30, [sp, #80]
    stp     d8,  d9,  [sp, #96]
    stp     d10, d11, [sp, #112]
    stp     d12, d13, [sp, #128]
    stp     d14, d15, [sp, #144]
    mov     x2, sp
    str     x2, [x0]
    mov     sp, x1
    ldp     x19, x20, [sp, #0]
    ldp     x21, x22, [sp, #16]
    ldp     x23, x24, [sp, #32]
    ldp     x25, x26, [sp, #48]
    ldp     x27, x28, [sp, #64]
    ldp     x29, x30, [sp, #80]
    ldp     d8,  d9,  [sp, #96]
    ldp     d10, d11, [sp, #112]
    ldp     d12, d13, [sp, #128]
    ldp     d14, d15, [sp, #144]
    add     sp, sp, #176
    ret
    .size   httpd__coro_switch, .-httpd__coro_switch

    .globl  httpd__coro_trampoline
    .type   httpd__coro_trampoline, %function
httpd__coro_trampoline:          /* first return of a new coroutine: entry(coro) */
    mov     x0, x20
    blr     x19
    brk     #0
    .size   httpd__coro_trampoline, .-httpd__coro_trampoline

    .section .note.GNU-stack, "", %progbits
