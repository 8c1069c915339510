"""Models fitted on the store by the build, refitted with every data revision (sources -> store -> models).

Each model is a module of this package; :data:`MODELS` is the one list of them (name -> what it estimates and the
build step that fits it). The modules are pure (frames in, frames out) except their ``step``/``inputs`` modules,
which read the build's database and write the model tables (``store/schema/models_*.sql``).
"""

from __future__ import annotations

#: The models migdev publishes: module name -> (build step, what it estimates).
MODELS: dict[str, tuple[str, str]] = {
    "gravity": ("gravity", "PPML gravity models of bilateral migrant stocks and flows (model_fit)"),
    "scenarios": ("gravity", "predicted emigrant stocks if an origin's income grew, from a stored gravity fit"),
    "remittances": ("remittance_estimate", "bilateral remittances by KNOMAD's allocation, every year "
                                           "(remittance_bilateral_estimate), validated on KNOMAD's editions"),
}
