# SPDX-License-Identifier: Apache-2.0
"""Stand-in for ESP-IDF's examples/provisioning/softap_prov/utils/wifi_tools.py,
which drives a Wi-Fi interface of the test machine through wpa_supplicant. The
host has no radio: captive_portal's test imports this module (so it can be
collected) and is marked not to run upstream (xfail, run=False)."""


def get_wiface_name():
    return None


class wpa_cli:  # noqa: N801 - upstream's name
    def __init__(self, iface, reset_on_exit=False):
        raise RuntimeError("no Wi-Fi interface on the host")
