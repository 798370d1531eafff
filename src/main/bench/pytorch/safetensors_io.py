"""safetensors by hand (Debian has no safetensors package): 8 bytes little-endian header length, the JSON header
{name: {dtype, shape, data_offsets: [begin, end]}}, then each tensor's bytes back to back, row-major little-endian.
Used by twin_forward.py, mit_weights.py and weights_fixtures.py; the workbench's reader is src/main/core/training/weights/safetensors.ts.
"""
import json
import struct

import numpy as np
import torch

# torch dtype -> (safetensors dtype, numpy dtype of the raw little-endian bytes)
DTYPES = {
    torch.float32: ('F32', '<f4'),
    torch.float16: ('F16', '<f2'),
    torch.bfloat16: ('BF16', '<u2'),
    torch.float64: ('F64', '<f8'),
    torch.int64: ('I64', '<i8'),
}


def tensor_bytes(t):
    """The tensor's elements, row-major little-endian (bfloat16 as its raw 16-bit patterns)."""
    t = t.detach().contiguous().cpu()
    dtype, np_dtype = DTYPES[t.dtype]
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().astype('<i2').tobytes()
    return t.numpy().astype(np_dtype).tobytes()


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: tensor} (dtypes of DTYPES) in the given order."""
    header = {}
    chunks = []
    at = 0
    for name, t in tensors.items():
        data = tensor_bytes(t)
        header[name] = {'dtype': DTYPES[t.dtype][0], 'shape': list(t.shape), 'data_offsets': [at, at + len(data)]}
        chunks.append(data)
        at += len(data)
    if metadata:
        header['__metadata__'] = metadata
    head = json.dumps(header).encode('utf-8')
    # Pad the header with spaces so the data starts 8-byte aligned (as the reference writer does).
    head += b' ' * ((8 - (8 + len(head)) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(head)))
        f.write(head)
        for c in chunks:
            f.write(c)

