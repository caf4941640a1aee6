/* SPDX-License-Identifier: Apache-2.0 */
/* Coroutine switch for x86-64 (System V): saves the callee-saved registers,
 * MXCSR and the x87 control word on the current stack, stores the stack
 * pointer, loads the other one and restores from it. */
    .text
    .globl  httpd__coro_switch
    .type   httpd__coro_switch, @function
httpd__coro_switch:              /* rdi = void **save_sp, rsi = void *new_sp */
    pushq   %rbp
    pushq   %rbx
    pushq   %r12
    pushq   %r13
    pushq   %r14
    pushq   %r15
    subq    $8, %rsp
    stmxcsr (%rsp)
    fnstcw  4(%rsp)
    movq    %rsp, (%rdi)
    movq    %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw   4(%rsp)
    addq    $8, %rsp
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %rbx
    popq    %rbp
    ret
    .size   httpd__coro_switch, .-httpd__coro_switch

    .globl  httpd__coro_trampoline
    .type   httpd__coro_trampoline, @function
httpd__coro_trampoline:          /* first return of a new coroutine: entry(coro) */
    movq    %r13, %rdi
    callq   *%r12
    ud2
    .size   httpd__coro_trampoline, .-httpd__coro_trampoline

    .section .note.GNU-stack, "", @progbits
