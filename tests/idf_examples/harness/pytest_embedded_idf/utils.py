# SPDX-License-Identifier: Apache-2.0
"""Stand-in for pytest_embedded_idf.utils.

idf_parametrize('target', [...]) runs a test once per chip on ESP-IDF's CI;
the host is one target, so a 'target' parametrization is dropped (the target
fixture answers "linux"). Any other parameter is a plain
pytest.mark.parametrize."""
import pytest


def idf_parametrize(param_name, values, indirect=False, **kwargs):
    names = [n.strip() for n in param_name.split(",")] if isinstance(param_name, str) else list(param_name)
    if names == ["target"]:
        return lambda func: func
    if "target" in names:
        # ('target', 'config'), say: keep the first row of each other value.
        i = names.index("target")
        rest = [n for n in names if n != "target"]
        seen, rows = set(), []
        for row in values:
            row = tuple(row)
            kept = tuple(v for j, v in enumerate(row) if j != i)
            if kept not in seen:
                seen.add(kept)
                rows.append(kept if len(kept) > 1 else kept[0])
        if isinstance(indirect, (list, tuple)):
            indirect = [n for n in indirect if n != "target"]
        return pytest.mark.parametrize(",".join(rest), rows, indirect=indirect, **kwargs)
    return pytest.mark.parametrize(param_name, values, indirect=indirect, **kwargs)
