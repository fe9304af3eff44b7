"""corpusgate: a training-data governance pipeline for companion (human-like) AI services.

Importing the package switches every dependency to offline mode, in the driver and in every Beam worker:
nothing may reach the network at run time (no model hub, no analytics, no public-suffix list download).
"""

import os

for _name, _value in {
    "HF_HUB_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "GX_ANALYTICS_ENABLED": "false",
    "DVC_NO_ANALYTICS": "1",
    "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",
}.items():
    os.environ.setdefault(_name, _value)

__version__ = "0.1.0"
