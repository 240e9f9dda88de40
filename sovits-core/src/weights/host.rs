//! Tensors as read from a file, before they become burn tensors.

use std::sync::Arc;

use half::{bf16, f16};

/// Element type of a tensor in a weight file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DType {
    /// IEEE half precision.
    F16,
    /// bfloat16.
    BF16,
    /// f32.
    F32,
    /// f64.
    F64,
    /// i64.
    I64,
    /// i32.
    I32,
    /// i16.
    I16,
    /// i8.
    I8,
    /// u8.
    U8,
    /// bool (one byte).
    Bool,
}

impl DType {
    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::F64 | DType::I64 => 8,
            DType::F32 | DType::I32 => 4,
            DType::F16 | DType::BF16 | DType::I16 => 2,
            DType::I8 | DType::U8 | DType::Bool => 1,
        }
    }

    /// Whether the type holds floating-point numbers.
    pub fn is_float(self) -> bool {
        matches!(self, DType::F16 | DType::BF16 | DType::F32 | DType::F64)
    }
}

/// A byte range of a shared buffer (a whole file or one storage record).
#[derive(Clone)]
pub(crate) struct Bytes {
    buf: Arc<Vec<u8>>,
    start: usize,
    len: usize,
}

impl Bytes {
    pub(crate) fn new(buf: Arc<Vec<u8>>, start: usize, len: usize) -> Self {
        debug_assert!(start + len <= buf.len());
        Bytes { buf, start, len }
    }

    pub(crate) fn owned(v: Vec<u8>) -> Self {
        let len = v.len();
        Bytes { buf: Arc::new(v), start: 0, len }
    }

    /// A sub-range (relative to this range).
    pub(crate) fn slice(&self, start: usize, len: usize) -> Self {
        assert!(start + len <= self.len);
        Bytes { buf: self.buf.clone(), start: self.start + start, len }
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.buf[self.start..self.start + self.len]
    }
}

/// A dense, row-major, little-endian tensor read from a weight file.
#[derive(Clone)]
pub struct HostTensor {
    /// Shape (empty for a scalar).
    pub shape: Vec<usize>,
    /// Element type as stored in the file.
    pub dtype: DType,
    pub(crate) bytes: Bytes,
}

impl std::fmt::Debug for HostTensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HostTensor({:?}, {:?})", self.dtype, self.shape)
    }
}

impl HostTensor {
    /// Number of elements.
    pub fn numel(&self) -> usize {
        self.shape.iter().fold(1usize, |a, &d| a.saturating_mul(d))
    }

    /// The values as f32 (floats are converted; integers are cast).
    pub fn to_f32(&self) -> Vec<f32> {
        let b = self.bytes.as_slice();
        match self.dtype {
            DType::F32 => b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect(),
            DType::F16 => b.chunks_exact(2).map(|c| f16::from_le_bytes([c[0], c[1]]).to_f32()).collect(),
            DType::BF16 => b.chunks_exact(2).map(|c| bf16::from_le_bytes([c[0], c[1]]).to_f32()).collect(),
            DType::F64 => b.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap()) as f32).collect(),
            _ => self.to_i64().into_iter().map(|v| v as f32).collect(),
        }
    }

    /// The values as i64 (floats are truncated).
    pub fn to_i64(&self) -> Vec<i64> {
        let b = self.bytes.as_slice();
        match self.dtype {
            DType::I64 => b.chunks_exact(8).map(|c| i64::from_le_bytes(c.try_into().unwrap())).collect(),
            DType::I32 => b.chunks_exact(4).map(|c| i32::from_le_bytes(c.try_into().unwrap()) as i64).collect(),
            DType::I16 => b.chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]]) as i64).collect(),
            DType::I8 => b.iter().map(|&v| v as i8 as i64).collect(),
            DType::U8 | DType::Bool => b.iter().map(|&v| v as i64).collect(),
            _ => self.to_f32().into_iter().map(|v| v as i64).collect(),
        }
    }

    /// Builds a tensor from f32 values (used by tests and for derived tensors).
    pub fn from_f32(shape: Vec<usize>, values: &[f32]) -> Self {
        assert_eq!(shape.iter().product::<usize>(), values.len());
        let bytes = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        HostTensor { shape, dtype: DType::F32, bytes: Bytes::owned(bytes) }
    }
}
