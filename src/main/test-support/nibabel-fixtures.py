"""Writes odd but valid NIfTI / Analyze files with nibabel, an independent reader and writer, into a folder,
plus expected.json: what nibabel itself reads back from each file (shape, dtype, affine, zooms, stored and scaled
voxels of one chosen 3D frame), or the problem a file must be refused for.

Usage: /usr/bin/python3 nibabel-fixtures.py OUT_DIR
Run by src/main/test-support/nibabel-fixtures.ts; the expected values always come from loading the written file
back with nibabel (AnalyzeImage.load for Analyze, whose orientation comes from pixdim with nibabel's default x
flip), never from the arrays that were written, so a writer quirk cannot make the test agree with itself.
"""
import json
import os
import sys

import nibabel as nib
import numpy as np

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)

# An oblique-free but permuted, flipped, translated orientation: array axis 1 runs along z (S-I).
PERMUTED = np.array([[0.0, 0.0, -2.0, 10.0], [-1.5, 0.0, 0.0, 20.0], [0.0, 3.0, 0.0, -30.0], [0.0, 0.0, 0.0, 1.0]])
SHAPE3 = (4, 3, 2)
RGB = [('R', 'u1'), ('G', 'u1'), ('B', 'u1')]

cases = []


def ramp(shape, dtype, scale=1.0, offset=0.0):
    """Distinct values in Fortran order, so a wrong frame, axis order or byte order shows."""
    n = int(np.prod(shape))
    return (np.arange(n, dtype=np.float64) * scale + offset).reshape(shape, order='F').astype(dtype)


def big_endian(header_class):
    return header_class(endianness='>')


def frame_of(array, frame, channel):
    """The 3D block (frame along dim 4, channel along dims 5-7) in Fortran order."""
    shape = tuple(array.shape) + (1,) * (3 - len(array.shape))  # a 2D image is one slice thick
    frames = shape[3] if len(shape) > 3 else 1
    channels = int(np.prod(shape[4:])) if len(shape) > 4 else 1
    blocks = np.reshape(array, shape[:3] + (frames, channels), order='F')
    return blocks[:, :, :, frame, channel]


def values(block):
    return [v.item() for v in np.ravel(block, order='F')]


def expect_read(name, img_class, frame=0, channel=0, note=''):
    path = os.path.join(OUT, name)
    img = img_class.load(path)
    hdr = img.header
    shape = tuple(int(s) for s in img.shape)
    stored = np.asanyarray(img.dataobj.get_unscaled())
    case = {
        'file': name,
        'expect': 'read',
        'note': note,
        'format': 'analyze' if img_class is nib.AnalyzeImage else 'nifti',
        'niftiVersion': 2 if img_class in (nib.Nifti2Image, nib.Nifti2Pair) else 1,
        'littleEndian': hdr.endianness == '<',
        'dtype': str(hdr.get_data_dtype().newbyteorder('=')) if hdr.get_data_dtype().names is None else 'rgb24',
        'shape': list(shape),
        'frames': shape[3] if len(shape) > 3 else 1,
        'channels': int(np.prod(shape[4:])) if len(shape) > 4 else 1,
        'frame': frame,
        'channel': channel,
        'zooms': [float(z) for z in hdr.get_zooms()[:3]],
        'affine': [float(x) for x in np.ravel(img.affine)],
    }
    block = frame_of(stored, frame, channel)
    if stored.dtype.names:
        # RGB24: the luminance the workbench reads (ITU-R BT.601 weights), in float64 then rounded to float32.
        lum = 0.299 * block['R'].astype(np.float64) + 0.587 * block['G'].astype(np.float64) + 0.114 * block['B'].astype(np.float64)
        case['stored'] = values(lum.astype(np.float32))
        case['scaled'] = case['stored']
    else:
        case['stored'] = values(block)
        slope, inter = img.dataobj.slope, img.dataobj.inter
        case['slope'], case['inter'] = float(slope), float(inter)
        case['scaled'] = values(frame_of(np.asanyarray(img.dataobj).astype(np.float64) if (slope, inter) == (1.0, 0.0) else img.get_fdata(), frame, channel))
    cases.append(case)


def expect_refusal(name, problem):
    cases.append({'file': name, 'expect': 'refuse', 'problem': problem})


def nifti(name, data, affine=PERMUTED, dtype=None, endian='<', version=1, pair=False, slope_inter=None, qform_only=False, intent=None):
    cls = {(1, False): nib.Nifti1Image, (1, True): nib.Nifti1Pair, (2, False): nib.Nifti2Image, (2, True): nib.Nifti2Pair}[(version, pair)]
    header = cls.header_class(endianness=endian)
    # A header passed in keeps its own (float32) data type unless the stored type is named.
    img = cls(data, affine, header=header, dtype=data.dtype if dtype is None else dtype)
    if qform_only:
        img.set_qform(affine, code=1)
        img.set_sform(None, code=0)
    if intent:
        img.header.set_intent(intent)
    if slope_inter:
        img.header.set_slope_inter(*slope_inter)
    img.to_filename(os.path.join(OUT, name))
    return cls


# --- 4D and higher: one 3D frame is read -------------------------------------------------------------------
cls = nifti('fmri-4d.nii.gz', ramp(SHAPE3 + (5,), np.float32, 0.5, -3))
expect_read('fmri-4d.nii.gz', cls, frame=3, note='time series: frame 3 of 5')
expect_read('fmri-4d.nii.gz', cls, frame=0, note='time series: the default frame')
cls = nifti('fmri-4d-int16-scaled-be.nii', ramp(SHAPE3 + (3,), np.int16, 7, -40), endian='>', slope_inter=(0.25, 100.0))
expect_read('fmri-4d-int16-scaled-be.nii', cls, frame=2, note='big-endian scaled 4D')
cls = nifti('vector-5d.nii.gz', ramp(SHAPE3 + (1, 3), np.float32, 1.25), intent='vector')
expect_read('vector-5d.nii.gz', cls, channel=2, note='vector intent, 3 channels along dim 5')
cls = nifti('multi-echo-5d.nii', ramp(SHAPE3 + (2, 3), np.int16, 3, -70))
expect_read('multi-echo-5d.nii', cls, frame=1, channel=1, note='2 frames × 3 channels')
expect_read('multi-echo-5d.nii', cls, frame=0, channel=2, note='2 frames × 3 channels')
cls = nifti('nifti2-4d-be.nii', ramp(SHAPE3 + (4,), np.float64, 1 / 3.0), version=2, endian='>')
expect_read('nifti2-4d-be.nii', cls, frame=1, note='NIfTI-2, big-endian, 4D float64')

# --- wide integer dtypes: exact where the values fit ------------------------------------------------------
nifti('uint32.nii', ramp(SHAPE3, np.uint32, 123456789, 7), dtype=np.uint32)  # up to 2.8e9: beyond int32
expect_read('uint32.nii', nib.Nifti1Image, note='uint32 above 2^31')
nifti('uint32-small-be.nii.gz', ramp(SHAPE3, np.uint32, 1000), dtype=np.uint32, endian='>', slope_inter=(2.0, -1.0))
expect_read('uint32-small-be.nii.gz', nib.Nifti1Image, note='uint32, big-endian, scaled')
nifti('int64.nii.gz', ramp(SHAPE3, np.int64, -(2**40) + 12345, 2**30), dtype=np.int64)
expect_read('int64.nii.gz', nib.Nifti1Image, note='int64 beyond 32 bits, negative')
nifti('int64-be-4d.nii', ramp(SHAPE3 + (2,), np.int64, -3, 5), dtype=np.int64, endian='>')
expect_read('int64-be-4d.nii', nib.Nifti1Image, frame=1, note='int64 big-endian 4D, small values')
u64 = ramp(SHAPE3, np.uint64, 1, 0)
u64.flat[5] = 2**53  # the largest value every voxel array can hold exactly
nifti('uint64.nii', u64, dtype=np.uint64)
expect_read('uint64.nii', nib.Nifti1Image, note='uint64 up to 2^53')
nifti('nifti2-uint64-be.nii', ramp(SHAPE3, np.uint64, 2**33), dtype=np.uint64, version=2, endian='>')
expect_read('nifti2-uint64-be.nii', nib.Nifti2Image, note='NIfTI-2 big-endian uint64')
too_big = ramp(SHAPE3, np.uint64)
too_big.flat[7] = 2**53 + 1
nifti('uint64-too-big.nii', too_big, dtype=np.uint64)
expect_refusal('uint64-too-big.nii', str(2**53 + 1))
too_negative = ramp(SHAPE3, np.int64)
too_negative.flat[3] = -(2**60)
nifti('int64-too-big.nii.gz', too_negative, dtype=np.int64, endian='>')
expect_refusal('int64-too-big.nii.gz', str(-(2**60)))

# --- colour and complex -----------------------------------------------------------------------------------
rgb = np.zeros(SHAPE3 + (2,), dtype=RGB)
for n, channel in enumerate('RGB'):
    rgb[channel] = ramp(SHAPE3 + (2,), np.uint8, 5 + 3 * n, 40 * n)
cls = nifti('rgb24-4d.nii', rgb)
expect_read('rgb24-4d.nii', cls, frame=1, note='RGB24, read as luminance')
nifti('complex64.nii', ramp(SHAPE3, np.complex64))
expect_refusal('complex64.nii', 'complex64')

# --- .hdr/.img pairs --------------------------------------------------------------------------------------
cls = nifti('pair-int16.img', ramp(SHAPE3, np.int16, -11, 50), pair=True, qform_only=True)
expect_read('pair-int16.hdr', cls, note='NIfTI-1 pair, qform only')
cls = nifti('pair-float32.img.gz', ramp(SHAPE3 + (3,), np.float32, 0.1), pair=True, slope_inter=(2.0, 0.5))
expect_read('pair-float32.hdr.gz', cls, frame=2, note='gzipped NIfTI-1 pair, 4D, scaled')
cls = nifti('pair-be-uint8.img', ramp(SHAPE3, np.uint8, 9), pair=True, endian='>', slope_inter=(0.5, -2.0))
expect_read('pair-be-uint8.img', cls, note='big-endian NIfTI-1 pair opened by its .img')
cls = nifti('nifti2-pair.img', ramp(SHAPE3, np.float32, -0.75), pair=True, version=2)
expect_read('nifti2-pair.hdr', cls, note='NIfTI-2 pair')

# --- Analyze 7.5 (nibabel's AnalyzeImage: orientation from pixdim, x flipped, centred) ---------------------
def analyze(name, data, zooms, endian='<'):
    img = nib.AnalyzeImage(data, None, header=nib.AnalyzeHeader(endianness=endian), dtype=data.dtype)
    img.header.set_zooms(zooms)
    img.to_filename(os.path.join(OUT, name))


analyze('analyze-int16.img', ramp(SHAPE3, np.int16, -13, 100), (2.0, 1.5, 3.0))
expect_read('analyze-int16.hdr', nib.AnalyzeImage, note='Analyze 7.5')
analyze('analyze-be-float32.img', ramp(SHAPE3, np.float32, 0.3), (0.5, 0.75, 1.25), endian='>')
expect_read('analyze-be-float32.hdr', nib.AnalyzeImage, note='big-endian Analyze 7.5')
analyze('analyze-4d-uint8.img', ramp(SHAPE3 + (3,), np.uint8, 2), (1.0, 1.0, 2.0, 2.5))
expect_read('analyze-4d-uint8.hdr', nib.AnalyzeImage, frame=2, note='Analyze 7.5, 4D')
analyze('analyze-2d.img', ramp((5, 4), np.float64, -1.5), (0.8, 1.2))
expect_read('analyze-2d.hdr', nib.AnalyzeImage, note='Analyze 7.5, 2D')

# --- scaling and orientation variants of plain 3D files ---------------------------------------------------
nifti('scaled-uint8.nii', ramp(SHAPE3, np.uint8, 10), slope_inter=(0.5, -20.0))
expect_read('scaled-uint8.nii', nib.Nifti1Image, note='uint8 scaled')
nifti('scaled-int32-be.nii.gz', ramp(SHAPE3, np.int32, 700001, -2**31 + 1), endian='>', slope_inter=(3.0, 0.25))
expect_read('scaled-int32-be.nii.gz', nib.Nifti1Image, note='int32 scaled, big-endian')
nifti('qform-only-be.nii', ramp(SHAPE3, np.float32, 2.5), endian='>', qform_only=True)
expect_read('qform-only-be.nii', nib.Nifti1Image, note='qform only, big-endian')

with open(os.path.join(OUT, 'expected.json'), 'w') as out:
    json.dump({'nibabel': nib.__version__, 'cases': cases}, out, indent=1)
