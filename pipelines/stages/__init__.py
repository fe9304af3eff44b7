"""The pipeline's stages, one PTransform per module, in the order the data flows (DESIGN.md, data flow)."""
