"""The passage index: local ONNX embeddings in Chroma, kept in step with the library, searched hybrid."""
