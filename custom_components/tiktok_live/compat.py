"""Names that moved between the Home Assistant versions this integration supports.

Home Assistant 2026 validates with ``probatio`` (and types its APIs with it);
2025.x uses ``voluptuous``. Both spell the same API, so the rest of the code
imports ``vol`` from here and runs, and type-checks, on either.
"""

from __future__ import annotations

try:
    import probatio as vol  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # pragma: no cover - Home Assistant 2025.x
    import voluptuous as vol  # type: ignore[no-redef, unused-ignore]

try:
    from homeassistant.components.repairs import (  # type: ignore[attr-defined, unused-ignore]
        RepairsFlowResult as FixFlowResult,
    )
except ImportError:  # pragma: no cover - Home Assistant 2025.x
    from homeassistant.data_entry_flow import (  # type: ignore[assignment, unused-ignore]
        FlowResult as FixFlowResult,
    )

__all__ = ["FixFlowResult", "vol"]
