# SPDX-License-Identifier: Apache-2.0
"""Stand-in for pytest-embedded-idf: only what upstream's example tests import."""
