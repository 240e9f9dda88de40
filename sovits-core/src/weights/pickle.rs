//! A small, safe pickle virtual machine for `torch.save` checkpoints.
//!
//! It never imports or runs anything: `GLOBAL`s become [`Value::Global`] names, calls
//! (`REDUCE`, `NEWOBJ`) become [`Value::Object`]s, except the handful of callables torch
//! checkpoints are made of (`OrderedDict`, `_rebuild_tensor_v2`, `_rebuild_parameter`), which
//! are interpreted. Unknown classes such as upstream's `utils.HParams` are kept as objects
//! whose `BUILD` state (their `__dict__`) can be read like a dict.

use std::collections::HashMap;

/// A Python value as far as checkpoints need it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `None`.
    None,
    /// `bool`.
    Bool(bool),
    /// `int` (arbitrary-size ints beyond i64 are rejected).
    Int(i64),
    /// `float`.
    Float(f64),
    /// `str`.
    Str(String),
    /// `bytes`.
    Bytes(Vec<u8>),
    /// `list`.
    List(Vec<Value>),
    /// `tuple`.
    Tuple(Vec<Value>),
    /// `dict` / `OrderedDict`, in insertion order.
    Dict(Vec<(Value, Value)>),
    /// A global name (`module`, `name`) that was not called.
    Global(String, String),
    /// An instance of a class we do not interpret: its class, constructor args and `BUILD` state.
    Object {
        /// `(module, name)` of the class or callable.
        class: (String, String),
        /// The arguments it was called with.
        args: Vec<Value>,
        /// The state set by `BUILD` (usually a dict of attributes).
        state: Option<Box<Value>>,
    },
    /// A persistent id (`BINPERSID`), e.g. a torch storage reference.
    PersistentId(Box<Value>),
    /// A tensor view onto a storage (`torch._utils._rebuild_tensor_v2`).
    Tensor(TensorRef),
}

/// Where a pickled tensor's data lives.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorRef {
    /// The storage record key (`data/<key>` in the zip).
    pub storage_key: String,
    /// The storage class name (`HalfStorage`, `FloatStorage`, ...).
    pub storage_type: String,
    /// Offset in elements into the storage.
    pub offset: usize,
    /// Shape.
    pub shape: Vec<usize>,
    /// Strides in elements.
    pub stride: Vec<usize>,
}

impl Value {
    /// Looks up a string key in a dict, or an attribute of an object whose state is a dict.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Dict(items) => items.iter().find(|(k, _)| matches!(k, Value::Str(s) if s == key)).map(|(_, v)| v),
            Value::Object { state: Some(s), .. } => s.get(key),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The number as i64 (bools count as ints).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(v) => Some(*v),
            Value::Bool(b) => Some(*b as i64),
            _ => None,
        }
    }

    /// The number as f64.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(v) => Some(*v as f64),
            Value::Float(v) => Some(*v),
            _ => None,
        }
    }

    /// Converts to JSON (objects become their state; tensors and globals become strings).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::None => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(v) => J::from(*v),
            Value::Float(v) => serde_json::Number::from_f64(*v).map(J::Number).unwrap_or(J::Null),
            Value::Str(s) => J::String(s.clone()),
            Value::Bytes(b) => J::String(format!("<{} bytes>", b.len())),
            Value::List(v) | Value::Tuple(v) => J::Array(v.iter().map(Value::to_json).collect()),
            Value::Dict(items) => {
                let mut m = serde_json::Map::new();
                for (k, v) in items {
                    let key = match k {
                        Value::Str(s) => s.clone(),
                        other => format!("{other:?}"),
                    };
                    m.insert(key, v.to_json());
                }
                J::Object(m)
            }
            Value::Object { state: Some(s), .. } => s.to_json(),
            Value::Object { class, .. } => J::String(format!("<{}.{}>", class.0, class.1)),
            Value::Global(m, n) => J::String(format!("<{m}.{n}>")),
            Value::PersistentId(_) => J::String("<persistent id>".into()),
            Value::Tensor(t) => J::String(format!("<tensor {:?}>", t.shape)),
        }
    }
}

/// Why a pickle could not be read.
#[derive(Debug)]
pub struct PickleError(pub String);

type PResult<T> = Result<T, PickleError>;

fn err<T>(msg: impl Into<String>) -> PResult<T> {
    Err(PickleError(msg.into()))
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> PResult<&'a [u8]> {
        if self.pos + n > self.data.len() {
            return err(format!("truncated pickle: wanted {n} bytes at offset {}", self.pos));
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn u8(&mut self) -> PResult<u8> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> PResult<u16> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> PResult<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> PResult<u64> {
        let b = self.take(8)?;
        Ok(u64::from_le_bytes(b.try_into().unwrap()))
    }
    fn line(&mut self) -> PResult<&'a str> {
        let rest = &self.data[self.pos..];
        let Some(end) = rest.iter().position(|&c| c == b'\n') else {
            return err("truncated pickle: unterminated line");
        };
        self.pos += end + 1;
        std::str::from_utf8(&rest[..end]).map_err(|_| PickleError("non-UTF-8 text in pickle".into()))
    }
    fn utf8(&mut self, n: usize) -> PResult<String> {
        let b = self.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| PickleError("invalid UTF-8 string in pickle".into()))
    }
}

fn long_from_bytes(b: &[u8]) -> PResult<i64> {
    if b.is_empty() {
        return Ok(0);
    }
    if b.len() > 8 {
        // Allow sign-extension bytes beyond 8 only if they carry no information.
        let (low, high) = b.split_at(8);
        let neg = low[7] & 0x80 != 0;
        if high.iter().any(|&x| x != if neg { 0xff } else { 0 }) {
            return err("integer in pickle does not fit in 64 bits");
        }
        return long_from_bytes(low);
    }
    let neg = b[b.len() - 1] & 0x80 != 0;
    let mut buf = if neg { [0xffu8; 8] } else { [0u8; 8] };
    buf[..b.len()].copy_from_slice(b);
    Ok(i64::from_le_bytes(buf))
}

/// Runs a pickle and returns the value it produces.
pub fn load(data: &[u8]) -> Result<Value, PickleError> {
    let mut r = Reader { data, pos: 0 };
    let mut stack: Vec<Value> = Vec::new();
    let mut marks: Vec<usize> = Vec::new();
    let mut memo: HashMap<u32, Value> = HashMap::new();

    macro_rules! pop {
        () => {
            match stack.pop() {
                Some(v) => v,
                None => return err("pickle stack underflow"),
            }
        };
    }
    macro_rules! pop_mark {
        () => {{
            let Some(m) = marks.pop() else { return err("pickle MARK missing") };
            if m > stack.len() {
                return err("pickle stack underflow at MARK");
            }
            stack.split_off(m)
        }};
    }

    loop {
        let op = r.u8()?;
        match op {
            0x80 => {
                // PROTO
                let p = r.u8()?;
                if p > 5 {
                    return err(format!("unsupported pickle protocol {p}"));
                }
            }
            0x95 => {
                // FRAME
                r.u64()?;
            }
            b'.' => break, // STOP
            b'(' => marks.push(stack.len()),
            b'0' => {
                pop!();
            }
            b'1' => {
                let _ = pop_mark!();
            }
            b'2' => {
                let v = stack.last().cloned().ok_or(PickleError("DUP on empty stack".into()))?;
                stack.push(v);
            }
            b'N' => stack.push(Value::None),
            0x88 => stack.push(Value::Bool(true)),
            0x89 => stack.push(Value::Bool(false)),
            b'I' => {
                let l = r.line()?;
                stack.push(match l {
                    "01" => Value::Bool(true),
                    "00" => Value::Bool(false),
                    _ => Value::Int(l.parse().map_err(|_| PickleError(format!("bad INT {l:?}")))?),
                });
            }
            b'J' => stack.push(Value::Int(r.u32()? as i32 as i64)),
            b'K' => stack.push(Value::Int(r.u8()? as i64)),
            b'M' => stack.push(Value::Int(r.u16()? as i64)),
            b'L' => {
                let l = r.line()?.trim_end_matches('L');
                stack.push(Value::Int(l.parse().map_err(|_| PickleError(format!("bad LONG {l:?}")))?));
            }
            0x8a => {
                let n = r.u8()? as usize;
                let b = r.take(n)?;
                stack.push(Value::Int(long_from_bytes(b)?));
            }
            0x8b => {
                let n = r.u32()? as usize;
                let b = r.take(n)?;
                stack.push(Value::Int(long_from_bytes(b)?));
            }
            b'F' => {
                let l = r.line()?;
                stack.push(Value::Float(l.parse().map_err(|_| PickleError(format!("bad FLOAT {l:?}")))?));
            }
            b'G' => {
                let b = r.take(8)?;
                stack.push(Value::Float(f64::from_be_bytes(b.try_into().unwrap())));
            }
            b'X' => {
                let n = r.u32()? as usize;
                stack.push(Value::Str(r.utf8(n)?));
            }
            0x8c => {
                let n = r.u8()? as usize;
                stack.push(Value::Str(r.utf8(n)?));
            }
            0x8d => {
                let n = r.u64()? as usize;
                stack.push(Value::Str(r.utf8(n)?));
            }
            b'V' => {
                let l = r.line()?;
                stack.push(Value::Str(l.to_string()));
            }
            b'S' => {
                let l = r.line()?;
                stack.push(Value::Str(l.trim_matches(|c| c == '\'' || c == '"').to_string()));
            }
            b'T' => {
                let n = r.u32()? as usize;
                stack.push(Value::Bytes(r.take(n)?.to_vec()));
            }
            b'U' | b'C' => {
                let n = r.u8()? as usize;
                stack.push(Value::Bytes(r.take(n)?.to_vec()));
            }
            b'B' => {
                let n = r.u32()? as usize;
                stack.push(Value::Bytes(r.take(n)?.to_vec()));
            }
            0x8e => {
                let n = r.u64()? as usize;
                stack.push(Value::Bytes(r.take(n)?.to_vec()));
            }
            b']' => stack.push(Value::List(Vec::new())),
            b')' => stack.push(Value::Tuple(Vec::new())),
            b'}' => stack.push(Value::Dict(Vec::new())),
            0x8f => stack.push(Value::List(Vec::new())), // EMPTY_SET (as a list)
            b'l' => {
                let items = pop_mark!();
                stack.push(Value::List(items));
            }
            b't' => {
                let items = pop_mark!();
                stack.push(Value::Tuple(items));
            }
            0x91 => {
                // FROZENSET
                let items = pop_mark!();
                stack.push(Value::List(items));
            }
            0x85 => {
                let a = pop!();
                stack.push(Value::Tuple(vec![a]));
            }
            0x86 => {
                let b = pop!();
                let a = pop!();
                stack.push(Value::Tuple(vec![a, b]));
            }
            0x87 => {
                let c = pop!();
                let b = pop!();
                let a = pop!();
                stack.push(Value::Tuple(vec![a, b, c]));
            }
            b'd' => {
                let items = pop_mark!();
                stack.push(Value::Dict(pairs(items)?));
            }
            b'a' => {
                let v = pop!();
                match stack.last_mut() {
                    Some(Value::List(l)) => l.push(v),
                    _ => return err("APPEND to a non-list"),
                }
            }
            b'e' | 0x90 => {
                // APPENDS / ADDITEMS
                let items = pop_mark!();
                match stack.last_mut() {
                    Some(Value::List(l)) => l.extend(items),
                    Some(Value::Object { state, .. }) => {
                        // list subclasses: keep the items as state
                        *state = Some(Box::new(Value::List(items)));
                    }
                    _ => return err("APPENDS to a non-list"),
                }
            }
            b's' => {
                let v = pop!();
                let k = pop!();
                dict_insert(stack.last_mut(), vec![(k, v)])?;
            }
            b'u' => {
                let items = pop_mark!();
                let kv = pairs(items)?;
                dict_insert(stack.last_mut(), kv)?;
            }
            b'p' => {
                let l = r.line()?;
                let i: u32 = l.parse().map_err(|_| PickleError(format!("bad PUT {l:?}")))?;
                memo.insert(i, stack.last().cloned().ok_or(PickleError("PUT on empty stack".into()))?);
            }
            b'q' => {
                let i = r.u8()? as u32;
                memo.insert(i, stack.last().cloned().ok_or(PickleError("BINPUT on empty stack".into()))?);
            }
            b'r' => {
                let i = r.u32()?;
                memo.insert(i, stack.last().cloned().ok_or(PickleError("LONG_BINPUT on empty stack".into()))?);
            }
            0x94 => {
                let i = memo.len() as u32;
                memo.insert(i, stack.last().cloned().ok_or(PickleError("MEMOIZE on empty stack".into()))?);
            }
            b'g' => {
                let l = r.line()?;
                let i: u32 = l.parse().map_err(|_| PickleError(format!("bad GET {l:?}")))?;
                stack.push(memo.get(&i).cloned().ok_or(PickleError(format!("GET of unknown memo {i}")))?);
            }
            b'h' => {
                let i = r.u8()? as u32;
                stack.push(memo.get(&i).cloned().ok_or(PickleError(format!("BINGET of unknown memo {i}")))?);
            }
            b'j' => {
                let i = r.u32()?;
                stack.push(memo.get(&i).cloned().ok_or(PickleError(format!("LONG_BINGET of unknown memo {i}")))?);
            }
            b'c' => {
                let module = r.line()?.to_string();
                let name = r.line()?.to_string();
                stack.push(Value::Global(module, name));
            }
            0x93 => {
                // STACK_GLOBAL
                let name = pop!();
                let module = pop!();
                match (module, name) {
                    (Value::Str(m), Value::Str(n)) => stack.push(Value::Global(m, n)),
                    _ => return err("STACK_GLOBAL needs two strings"),
                }
            }
            b'R' => {
                let args = pop!();
                let callable = pop!();
                let args = match args {
                    Value::Tuple(a) => a,
                    other => return err(format!("REDUCE with non-tuple args {other:?}")),
                };
                stack.push(call(callable, args)?);
            }
            0x81 => {
                // NEWOBJ
                let args = pop!();
                let cls = pop!();
                let args = match args {
                    Value::Tuple(a) => a,
                    _ => return err("NEWOBJ with non-tuple args"),
                };
                stack.push(call(cls, args)?);
            }
            0x92 => {
                // NEWOBJ_EX
                let _kwargs = pop!();
                let args = pop!();
                let cls = pop!();
                let args = match args {
                    Value::Tuple(a) => a,
                    _ => return err("NEWOBJ_EX with non-tuple args"),
                };
                stack.push(call(cls, args)?);
            }
            b'i' => {
                // INST
                let module = r.line()?.to_string();
                let name = r.line()?.to_string();
                let args = pop_mark!();
                stack.push(call(Value::Global(module, name), args)?);
            }
            b'o' => {
                // OBJ
                let mut items = pop_mark!();
                if items.is_empty() {
                    return err("OBJ without a class");
                }
                let cls = items.remove(0);
                stack.push(call(cls, items)?);
            }
            b'b' => {
                // BUILD
                let state = pop!();
                match stack.last_mut() {
                    Some(Value::Object { state: s, .. }) => *s = Some(Box::new(state)),
                    Some(Value::Dict(d)) => {
                        if let Value::Dict(items) = state {
                            d.extend(items);
                        }
                    }
                    // Tensors, lists, etc. carry state we do not need (e.g. parameter flags).
                    Some(_) => {}
                    None => return err("BUILD on empty stack"),
                }
            }
            b'Q' => {
                let pid = pop!();
                stack.push(Value::PersistentId(Box::new(pid)));
            }
            b'P' => {
                let l = r.line()?;
                stack.push(Value::PersistentId(Box::new(Value::Str(l.to_string()))));
            }
            other => return err(format!("unsupported pickle opcode 0x{other:02x} at offset {}", r.pos - 1)),
        }
    }
    match stack.pop() {
        Some(v) => Ok(v),
        None => err("pickle produced no value"),
    }
}

fn pairs(items: Vec<Value>) -> PResult<Vec<(Value, Value)>> {
    if !items.len().is_multiple_of(2) {
        return err("odd number of items for a dict");
    }
    let mut out = Vec::with_capacity(items.len() / 2);
    let mut it = items.into_iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        out.push((k, v));
    }
    Ok(out)
}

fn dict_insert(target: Option<&mut Value>, kv: Vec<(Value, Value)>) -> PResult<()> {
    match target {
        Some(Value::Dict(d)) => {
            for (k, v) in kv {
                if let Some(slot) = d.iter_mut().find(|(ek, _)| *ek == k) {
                    slot.1 = v;
                } else {
                    d.push((k, v));
                }
            }
            Ok(())
        }
        Some(Value::Object { state, .. }) => {
            // dict subclasses (e.g. an OrderedDict subclass): keep the items as state.
            match state.as_deref_mut() {
                Some(Value::Dict(d)) => d.extend(kv),
                _ => *state = Some(Box::new(Value::Dict(kv))),
            }
            Ok(())
        }
        _ => err("SETITEM(S) on a non-dict"),
    }
}

fn usize_list(v: &Value, what: &str) -> PResult<Vec<usize>> {
    match v {
        Value::Tuple(items) | Value::List(items) => items
            .iter()
            .map(|i| match i.as_i64() {
                Some(n) if n >= 0 => Ok(n as usize),
                _ => err(format!("bad {what} entry {i:?}")),
            })
            .collect(),
        other => err(format!("bad {what}: {other:?}")),
    }
}

/// Interprets the few callables a torch checkpoint is built from.
fn call(callable: Value, args: Vec<Value>) -> PResult<Value> {
    let Value::Global(module, name) = callable else {
        // Calling something that is not a global (rare): keep it opaque.
        return Ok(Value::Object { class: ("?".into(), "?".into()), args, state: None });
    };
    match (module.as_str(), name.as_str()) {
        ("collections", "OrderedDict") | ("builtins", "dict") | ("__builtin__", "dict") => Ok(Value::Dict(Vec::new())),
        ("torch._utils", "_rebuild_tensor_v2") | ("torch._utils", "_rebuild_tensor") => {
            if args.len() < 4 {
                return err("_rebuild_tensor_v2 with too few arguments");
            }
            let (storage_key, storage_type) = match &args[0] {
                Value::PersistentId(pid) => match pid.as_ref() {
                    Value::Tuple(t) if t.len() >= 3 => {
                        let ty = match &t[1] {
                            Value::Global(_, n) => n.clone(),
                            Value::Str(s) => s.clone(),
                            other => return err(format!("bad storage type {other:?}")),
                        };
                        let key = match &t[2] {
                            Value::Str(s) => s.clone(),
                            Value::Int(i) => i.to_string(),
                            other => return err(format!("bad storage key {other:?}")),
                        };
                        (key, ty)
                    }
                    other => return err(format!("unsupported storage persistent id {other:?}")),
                },
                other => return err(format!("tensor storage is not a persistent id: {other:?}")),
            };
            let offset = args[1].as_i64().ok_or(PickleError("bad storage offset".into()))? as usize;
            let shape = usize_list(&args[2], "size")?;
            let stride = usize_list(&args[3], "stride")?;
            if shape.len() != stride.len() {
                return err("tensor size and stride differ in length");
            }
            Ok(Value::Tensor(TensorRef { storage_key, storage_type, offset, shape, stride }))
        }
        ("torch._utils", "_rebuild_parameter") | ("torch._utils", "_rebuild_parameter_with_state") => {
            match args.into_iter().next() {
                Some(t @ Value::Tensor(_)) => Ok(t),
                other => err(format!("_rebuild_parameter of {other:?}")),
            }
        }
        _ => Ok(Value::Object { class: (module, name), args, state: None }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_basic_protocol2() {
        // pickle.dumps({'a': [1, 2.5, 'x'], 'b': (True, None)}, protocol=2)
        let data = b"\x80\x02}q\x00(X\x01\x00\x00\x00aq\x01]q\x02(K\x01G@\x04\x00\x00\x00\x00\x00\x00X\x01\x00\x00\x00xq\x03eX\x01\x00\x00\x00bq\x04\x88N\x86q\x05u.";
        let v = load(data).unwrap();
        assert_eq!(v.get("a"), Some(&Value::List(vec![Value::Int(1), Value::Float(2.5), Value::Str("x".into())])));
        assert_eq!(v.get("b"), Some(&Value::Tuple(vec![Value::Bool(true), Value::None])));
    }

    #[test]
    fn truncated_pickle_is_an_error() {
        let data = b"\x80\x02}q\x00(X\x01\x00\x00";
        assert!(load(data).is_err());
        assert!(load(b"").is_err());
    }

    #[test]
    fn long1_sign() {
        assert_eq!(long_from_bytes(&[0xff]).unwrap(), -1);
        assert_eq!(long_from_bytes(&[0x00, 0x01]).unwrap(), 256);
    }
}
