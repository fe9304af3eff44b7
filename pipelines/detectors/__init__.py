"""Pure-Python detectors: no Beam, no stages. Stages, validators, evaluation scripts and tests call them."""
