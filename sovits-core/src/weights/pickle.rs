//! A small, safe pickle virtual machine for `torch.save` checkpoints.
//!
//! It never imports or runs anything: `GLOBAL`s become [`Value::Global`] names, calls
//! (`REDUCE`, `NEWOBJ`) become [`Value::Object`]s, except the handful of callables torch
//! checkpoints are made of (`OrderedDict`, `_rebuild_tensor_v2`, `_rebuild_parameter`), which
//! are interpreted. Unknown classes such as upstream's `utils.HParams` are kept as objects
//! whose `BUILD` state (their `__dict__`) can be read like a dict.
//!
//! The input is untrusted: lengths are checked before use, every opcode does bounded work,
//! values are shared inside the VM as in Python (a memo `GET` costs nothing), and the tree
//! handed out is limited in depth ([`MAX_DEPTH`]) and in how far it may expand beyond the
//! pickle's own size, so a pickle of `n` bytes costs `O(n)` time and memory.

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

/// Deepest nesting of containers [`load`] returns. Checkpoints nest a handful of levels
/// (root dict, `weight` dict, tensor; `config` objects a few more); deeper data, and
/// self-referencing containers, are refused instead of recursing without bound.
pub const MAX_DEPTH: usize = 200;

/// How much a pickle may expand: the returned tree holds at most `4 * len + 65536` values
/// and `4 * len + 1 MiB` bytes of strings for a pickle of `len` bytes. Memo references
/// (`GET`) share a value inside the VM but are copied into the returned tree, so a small
/// pickle that references the same list twice at every level would otherwise grow
/// exponentially.
const EXPANSION: usize = 4;

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> PResult<&'a [u8]> {
        let end = match self.pos.checked_add(n) {
            Some(end) if end <= self.data.len() => end,
            _ => return err(format!("truncated pickle: wanted {n} bytes at offset {}", self.pos)),
        };
        let s = &self.data[self.pos..end];
        self.pos = end;
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
    /// An 8-byte length; anything beyond the data is reported as truncation by `take`.
    fn len64(&mut self) -> PResult<usize> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(usize::try_from(u64::from_le_bytes(a)).unwrap_or(usize::MAX))
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

/// Index of a value in the VM's arena.
type Id = usize;

/// A value inside the VM. Containers refer to their items by [`Id`], so memo references
/// (`PUT`/`GET`), `DUP` and later mutations (`APPEND`, `SETITEM`, `BUILD`) share one value the
/// way Python objects do, at constant cost.
enum Node {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    List(Vec<Id>),
    Tuple(Vec<Id>),
    Dict(DictNode),
    Global(String, String),
    Object { class: (String, String), args: Vec<Id>, state: Option<Id> },
    PersistentId(Id),
    Tensor(TensorRef),
}

/// A dict in insertion order with a hash index over its keys, so that building a dict of `n`
/// entries costs `O(n)` and a repeated key replaces the earlier value, as in Python.
#[derive(Default)]
struct DictNode {
    items: Vec<(Id, Id)>,
    index: HashMap<Key, usize>,
}

/// The hashable keys checkpoints use. Python's `True == 1` and `hash(True) == hash(1)`, so
/// bools are keyed as ints. Keys of other kinds are kept without de-duplication.
#[derive(Hash, PartialEq, Eq)]
enum Key {
    None,
    Int(i64),
    Str(String),
    Bytes(Vec<u8>),
}

struct Vm {
    nodes: Vec<Node>,
}

impl Vm {
    fn push(&mut self, n: Node) -> Id {
        self.nodes.push(n);
        self.nodes.len() - 1
    }

    fn key(&self, id: Id) -> Option<Key> {
        Some(match &self.nodes[id] {
            Node::None => Key::None,
            Node::Bool(b) => Key::Int(*b as i64),
            Node::Int(v) => Key::Int(*v),
            Node::Str(s) => Key::Str(s.clone()),
            Node::Bytes(b) => Key::Bytes(b.clone()),
            _ => return None,
        })
    }

    /// `target[k] = v` for each pair, for dicts and dict-like objects (their state).
    fn dict_insert(&mut self, target: Option<Id>, kv: Vec<(Id, Id)>) -> PResult<()> {
        let Some(target) = target else { return err("SETITEM(S) on an empty stack") };
        let dict_id = match &self.nodes[target] {
            Node::Dict(_) => target,
            Node::Object { state: Some(s), .. } if matches!(self.nodes[*s], Node::Dict(_)) => *s,
            Node::Object { .. } => {
                // A dict subclass (e.g. an OrderedDict subclass): its items become the state.
                let d = self.push(Node::Dict(DictNode::default()));
                if let Node::Object { state, .. } = &mut self.nodes[target] {
                    *state = Some(d);
                }
                d
            }
            _ => return err("SETITEM(S) on a non-dict"),
        };
        let keys: Vec<Option<Key>> = kv.iter().map(|(k, _)| self.key(*k)).collect();
        let Node::Dict(d) = &mut self.nodes[dict_id] else { unreachable!("checked above") };
        for ((k, v), key) in kv.into_iter().zip(keys) {
            match key {
                Some(key) => match d.index.get(&key) {
                    Some(&i) => d.items[i].1 = v,
                    None => {
                        d.index.insert(key, d.items.len());
                        d.items.push((k, v));
                    }
                },
                None => d.items.push((k, v)),
            }
        }
        Ok(())
    }

    fn pairs(items: Vec<Id>) -> PResult<Vec<(Id, Id)>> {
        if !items.len().is_multiple_of(2) {
            return err("odd number of items for a dict");
        }
        Ok(items.chunks_exact(2).map(|c| (c[0], c[1])).collect())
    }

    fn usize_list(&self, id: Id, what: &str) -> PResult<Vec<usize>> {
        match &self.nodes[id] {
            Node::Tuple(items) | Node::List(items) => items
                .iter()
                .map(|&i| match &self.nodes[i] {
                    Node::Int(n) if *n >= 0 => {
                        usize::try_from(*n).map_err(|_| PickleError(format!("{what} too large")))
                    }
                    Node::Bool(b) => Ok(*b as usize),
                    _ => err(format!("bad {what} entry")),
                })
                .collect(),
            _ => err(format!("bad {what}: not a tuple")),
        }
    }

    fn int(&self, id: Id) -> Option<i64> {
        match &self.nodes[id] {
            Node::Int(v) => Some(*v),
            Node::Bool(b) => Some(*b as i64),
            _ => None,
        }
    }

    /// Interprets the few callables a torch checkpoint is built from.
    fn call(&mut self, callable: Id, args: Vec<Id>) -> PResult<Node> {
        let (module, name) = match &self.nodes[callable] {
            Node::Global(m, n) => (m.clone(), n.clone()),
            // Calling something that is not a global (rare): keep it opaque.
            _ => return Ok(Node::Object { class: ("?".into(), "?".into()), args, state: None }),
        };
        match (module.as_str(), name.as_str()) {
            ("collections", "OrderedDict") | ("builtins", "dict") | ("__builtin__", "dict") => {
                Ok(Node::Dict(DictNode::default()))
            }
            ("torch._utils", "_rebuild_tensor_v2") | ("torch._utils", "_rebuild_tensor") => {
                if args.len() < 4 {
                    return err("_rebuild_tensor_v2 with too few arguments");
                }
                let Node::PersistentId(pid) = &self.nodes[args[0]] else {
                    return err("tensor storage is not a persistent id");
                };
                let Node::Tuple(t) = &self.nodes[*pid] else {
                    return err("unsupported storage persistent id (not a tuple)");
                };
                if t.len() < 3 {
                    return err("unsupported storage persistent id (too short)");
                }
                let storage_type = match &self.nodes[t[1]] {
                    Node::Global(_, n) => n.clone(),
                    Node::Str(s) => s.clone(),
                    _ => return err("bad storage type"),
                };
                let storage_key = match &self.nodes[t[2]] {
                    Node::Str(s) => s.clone(),
                    Node::Int(i) => i.to_string(),
                    _ => return err("bad storage key"),
                };
                let offset = match self.int(args[1]) {
                    Some(o) if o >= 0 => {
                        usize::try_from(o).map_err(|_| PickleError("storage offset too large".into()))?
                    }
                    _ => return err("bad storage offset (must be a non-negative integer)"),
                };
                let shape = self.usize_list(args[2], "size")?;
                let stride = self.usize_list(args[3], "stride")?;
                if shape.len() != stride.len() {
                    return err("tensor size and stride differ in length");
                }
                Ok(Node::Tensor(TensorRef { storage_key, storage_type, offset, shape, stride }))
            }
            ("torch._utils", "_rebuild_parameter") | ("torch._utils", "_rebuild_parameter_with_state") => {
                match args.first().map(|&a| &self.nodes[a]) {
                    Some(Node::Tensor(t)) => Ok(Node::Tensor(t.clone())),
                    _ => err("_rebuild_parameter of something that is not a tensor"),
                }
            }
            _ => Ok(Node::Object { class: (module, name), args, state: None }),
        }
    }

    /// Copies the value at `id` out of the arena, within the nesting and expansion limits.
    fn materialize(&self, id: Id, depth: usize, budget: &mut Budget) -> PResult<Value> {
        if depth > MAX_DEPTH {
            return err(format!(
                "pickle nests containers more than {MAX_DEPTH} levels deep (or a container contains itself)"
            ));
        }
        budget.spend(1, 0)?;
        let list = |items: &[Id], budget: &mut Budget| -> PResult<Vec<Value>> {
            items.iter().map(|&i| self.materialize(i, depth + 1, budget)).collect()
        };
        Ok(match &self.nodes[id] {
            Node::None => Value::None,
            Node::Bool(b) => Value::Bool(*b),
            Node::Int(v) => Value::Int(*v),
            Node::Float(v) => Value::Float(*v),
            Node::Str(s) => {
                budget.spend(0, s.len())?;
                Value::Str(s.clone())
            }
            Node::Bytes(b) => {
                budget.spend(0, b.len())?;
                Value::Bytes(b.clone())
            }
            Node::List(items) => Value::List(list(items, budget)?),
            Node::Tuple(items) => Value::Tuple(list(items, budget)?),
            Node::Dict(d) => Value::Dict(
                d.items
                    .iter()
                    .map(|&(k, v)| {
                        Ok((self.materialize(k, depth + 1, budget)?, self.materialize(v, depth + 1, budget)?))
                    })
                    .collect::<PResult<_>>()?,
            ),
            Node::Global(m, n) => {
                budget.spend(0, m.len() + n.len())?;
                Value::Global(m.clone(), n.clone())
            }
            Node::Object { class, args, state } => {
                budget.spend(0, class.0.len() + class.1.len())?;
                Value::Object {
                    class: class.clone(),
                    args: list(args, budget)?,
                    state: match state {
                        Some(s) => Some(Box::new(self.materialize(*s, depth + 1, budget)?)),
                        None => None,
                    },
                }
            }
            Node::PersistentId(p) => Value::PersistentId(Box::new(self.materialize(*p, depth + 1, budget)?)),
            Node::Tensor(t) => {
                budget.spend(t.shape.len() * 2, t.storage_key.len() + t.storage_type.len())?;
                Value::Tensor(t.clone())
            }
        })
    }
}

struct Budget {
    values: usize,
    bytes: usize,
}

impl Budget {
    fn spend(&mut self, values: usize, bytes: usize) -> PResult<()> {
        match (self.values.checked_sub(values), self.bytes.checked_sub(bytes)) {
            (Some(v), Some(b)) => {
                self.values = v;
                self.bytes = b;
                Ok(())
            }
            _ => err("pickle expands to far more data than it holds (shared references repeated without bound)"),
        }
    }
}

/// Runs a pickle and returns the value it produces.
///
/// Time and memory are linear in `data.len()`: every opcode does bounded work, lengths are
/// checked against the data before anything is copied, and the result obeys [`MAX_DEPTH`]
/// and an expansion limit (see the module docs).
pub fn load(data: &[u8]) -> Result<Value, PickleError> {
    let mut r = Reader { data, pos: 0 };
    let mut vm = Vm { nodes: Vec::new() };
    let mut stack: Vec<Id> = Vec::new();
    let mut marks: Vec<usize> = Vec::new();
    let mut memo: HashMap<u32, Id> = HashMap::new();

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
    macro_rules! push {
        ($node:expr) => {{
            let id = vm.push($node);
            stack.push(id);
        }};
    }
    macro_rules! top {
        ($what:expr) => {
            match stack.last() {
                Some(&id) => id,
                None => return err(concat!($what, " on an empty stack")),
            }
        };
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
                r.take(8)?;
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
                let v = top!("DUP");
                stack.push(v);
            }
            b'N' => push!(Node::None),
            0x88 => push!(Node::Bool(true)),
            0x89 => push!(Node::Bool(false)),
            b'I' => {
                let l = r.line()?;
                push!(match l {
                    "01" => Node::Bool(true),
                    "00" => Node::Bool(false),
                    _ => Node::Int(l.parse().map_err(|_| PickleError(format!("bad INT {l:?}")))?),
                });
            }
            b'J' => push!(Node::Int(r.u32()? as i32 as i64)),
            b'K' => push!(Node::Int(r.u8()? as i64)),
            b'M' => push!(Node::Int(r.u16()? as i64)),
            b'L' => {
                let l = r.line()?.trim_end_matches('L');
                push!(Node::Int(l.parse().map_err(|_| PickleError(format!("bad LONG {l:?}")))?));
            }
            0x8a => {
                let n = r.u8()? as usize;
                let b = r.take(n)?;
                push!(Node::Int(long_from_bytes(b)?));
            }
            0x8b => {
                let n = r.u32()? as usize;
                let b = r.take(n)?;
                push!(Node::Int(long_from_bytes(b)?));
            }
            b'F' => {
                let l = r.line()?;
                push!(Node::Float(l.parse().map_err(|_| PickleError(format!("bad FLOAT {l:?}")))?));
            }
            b'G' => {
                let b = r.take(8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                push!(Node::Float(f64::from_be_bytes(a)));
            }
            b'X' => {
                let n = r.u32()? as usize;
                push!(Node::Str(r.utf8(n)?));
            }
            0x8c => {
                let n = r.u8()? as usize;
                push!(Node::Str(r.utf8(n)?));
            }
            0x8d => {
                let n = r.len64()?;
                push!(Node::Str(r.utf8(n)?));
            }
            b'V' => {
                let l = r.line()?;
                push!(Node::Str(l.to_string()));
            }
            b'S' => {
                let l = r.line()?;
                push!(Node::Str(l.trim_matches(|c| c == '\'' || c == '"').to_string()));
            }
            b'T' | b'B' => {
                let n = r.u32()? as usize;
                push!(Node::Bytes(r.take(n)?.to_vec()));
            }
            b'U' | b'C' => {
                let n = r.u8()? as usize;
                push!(Node::Bytes(r.take(n)?.to_vec()));
            }
            0x8e => {
                let n = r.len64()?;
                push!(Node::Bytes(r.take(n)?.to_vec()));
            }
            b']' => push!(Node::List(Vec::new())),
            b')' => push!(Node::Tuple(Vec::new())),
            b'}' => push!(Node::Dict(DictNode::default())),
            0x8f => push!(Node::List(Vec::new())), // EMPTY_SET (as a list)
            b'l' => {
                let items = pop_mark!();
                push!(Node::List(items));
            }
            b't' => {
                let items = pop_mark!();
                push!(Node::Tuple(items));
            }
            0x91 => {
                // FROZENSET
                let items = pop_mark!();
                push!(Node::List(items));
            }
            0x85 => {
                let a = pop!();
                push!(Node::Tuple(vec![a]));
            }
            0x86 => {
                let b = pop!();
                let a = pop!();
                push!(Node::Tuple(vec![a, b]));
            }
            0x87 => {
                let c = pop!();
                let b = pop!();
                let a = pop!();
                push!(Node::Tuple(vec![a, b, c]));
            }
            b'd' => {
                let items = pop_mark!();
                let d = vm.push(Node::Dict(DictNode::default()));
                vm.dict_insert(Some(d), Vm::pairs(items)?)?;
                stack.push(d);
            }
            b'a' => {
                let v = pop!();
                let t = top!("APPEND");
                match &mut vm.nodes[t] {
                    Node::List(l) => l.push(v),
                    _ => return err("APPEND to a non-list"),
                }
            }
            b'e' | 0x90 => {
                // APPENDS / ADDITEMS
                let items = pop_mark!();
                let t = top!("APPENDS");
                match &vm.nodes[t] {
                    Node::List(_) => {
                        if let Node::List(l) = &mut vm.nodes[t] {
                            l.extend(items);
                        }
                    }
                    Node::Object { .. } => {
                        // list subclasses: keep the items as state
                        let s = vm.push(Node::List(items));
                        if let Node::Object { state, .. } = &mut vm.nodes[t] {
                            *state = Some(s);
                        }
                    }
                    _ => return err("APPENDS to a non-list"),
                }
            }
            b's' => {
                let v = pop!();
                let k = pop!();
                vm.dict_insert(stack.last().copied(), vec![(k, v)])?;
            }
            b'u' => {
                let items = pop_mark!();
                let kv = Vm::pairs(items)?;
                vm.dict_insert(stack.last().copied(), kv)?;
            }
            b'p' => {
                let l = r.line()?;
                let i: u32 = l.parse().map_err(|_| PickleError(format!("bad PUT {l:?}")))?;
                memo.insert(i, top!("PUT"));
            }
            b'q' => {
                let i = r.u8()? as u32;
                memo.insert(i, top!("BINPUT"));
            }
            b'r' => {
                let i = r.u32()?;
                memo.insert(i, top!("LONG_BINPUT"));
            }
            0x94 => {
                let i = memo.len() as u32;
                memo.insert(i, top!("MEMOIZE"));
            }
            b'g' | b'h' | b'j' => {
                let i = match op {
                    b'g' => {
                        let l = r.line()?;
                        l.parse().map_err(|_| PickleError(format!("bad GET {l:?}")))?
                    }
                    b'h' => r.u8()? as u32,
                    _ => r.u32()?,
                };
                stack.push(*memo.get(&i).ok_or_else(|| PickleError(format!("GET of unknown memo {i}")))?);
            }
            b'c' => {
                let module = r.line()?.to_string();
                let name = r.line()?.to_string();
                push!(Node::Global(module, name));
            }
            0x93 => {
                // STACK_GLOBAL
                let name = pop!();
                let module = pop!();
                match (&vm.nodes[module], &vm.nodes[name]) {
                    (Node::Str(m), Node::Str(n)) => {
                        let g = Node::Global(m.clone(), n.clone());
                        push!(g)
                    }
                    _ => return err("STACK_GLOBAL needs two strings"),
                }
            }
            b'R' | 0x81 | 0x92 => {
                // REDUCE / NEWOBJ / NEWOBJ_EX (keyword arguments are ignored)
                if op == 0x92 {
                    pop!();
                }
                let args = pop!();
                let callable = pop!();
                let Node::Tuple(args) = &vm.nodes[args] else {
                    return err("REDUCE/NEWOBJ with arguments that are not a tuple");
                };
                let args = args.clone();
                let node = vm.call(callable, args)?;
                push!(node);
            }
            b'i' => {
                // INST
                let module = r.line()?.to_string();
                let name = r.line()?.to_string();
                let args = pop_mark!();
                let g = vm.push(Node::Global(module, name));
                let node = vm.call(g, args)?;
                push!(node);
            }
            b'o' => {
                // OBJ
                let items = pop_mark!();
                let Some((&cls, args)) = items.split_first() else {
                    return err("OBJ without a class");
                };
                let node = vm.call(cls, args.to_vec())?;
                push!(node);
            }
            b'b' => {
                // BUILD
                let state = pop!();
                let t = top!("BUILD");
                match &vm.nodes[t] {
                    Node::Object { .. } => {
                        if let Node::Object { state: s, .. } = &mut vm.nodes[t] {
                            *s = Some(state);
                        }
                    }
                    Node::Dict(_) => {
                        if let Node::Dict(d) = &vm.nodes[state] {
                            let items = d.items.clone();
                            vm.dict_insert(Some(t), items)?;
                        }
                    }
                    // Tensors, lists, etc. carry state we do not need (e.g. parameter flags).
                    _ => {}
                }
            }
            b'Q' => {
                let pid = pop!();
                push!(Node::PersistentId(pid));
            }
            b'P' => {
                let l = r.line()?;
                let s = vm.push(Node::Str(l.to_string()));
                push!(Node::PersistentId(s));
            }
            other => return err(format!("unsupported pickle opcode 0x{other:02x} at offset {}", r.pos - 1)),
        }
    }
    let Some(root) = stack.pop() else { return err("pickle produced no value") };
    let mut budget = Budget {
        values: data.len().saturating_mul(EXPANSION).saturating_add(65_536),
        bytes: data.len().saturating_mul(EXPANSION).saturating_add(1 << 20),
    };
    vm.materialize(root, 0, &mut budget)
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
