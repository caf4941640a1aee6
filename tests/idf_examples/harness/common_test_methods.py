# SPDX-License-Identifier: Apache-2.0
"""Stand-in for ESP-IDF's tools/ci/python_packages/common_test_methods.py on
the host: there is no test-bench configuration file and nobody at the
keyboard, so a variable comes from the environment (IDFEX_<ENV>_<KEY>, upper
case) or its default, never from standard input."""
import os
import socket


def get_env_config_variable(env_name, key, default=None):
    value = os.environ.get(f"IDFEX_{env_name}_{key}".upper(), default)
    if value is None:
        # The host environment's example_connect() takes any SSID and password.
        value = f"host-{key}"
    return value


def get_host_ip4_by_dest_ip(dest_ip=""):
    return "127.0.0.1"


def get_host_ip6_by_dest_ip(dest_ip="", interface=""):
    return "::1"


def get_my_interface_by_dest_ip(dest_ip=""):
    return "lo"


def get_host_ip_by_interface(interface_name, ip_type=socket.AF_INET):
    return "127.0.0.1" if ip_type == socket.AF_INET else "::1"
