//! The v1 (322) and v2 (732) phone symbol tables (`text/symbols.py`, `text/symbols2.py`).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::{Error, Result};

/// A phone symbol table: id = index.
#[derive(Debug)]
pub struct SymbolTable {
    symbols: Vec<String>,
    index: HashMap<String, u32>,
}

impl SymbolTable {
    fn from_json(json: &str) -> Self {
        let symbols: Vec<String> = serde_json::from_str(json).expect("embedded symbol table is valid JSON");
        let index = symbols.iter().enumerate().map(|(i, s)| (s.clone(), i as u32)).collect();
        SymbolTable { symbols, index }
    }

    /// The v1 table (322 symbols).
    pub fn v1() -> &'static SymbolTable {
        static T: OnceLock<SymbolTable> = OnceLock::new();
        T.get_or_init(|| Self::from_json(include_str!("../../data/symbols_v1.json")))
    }

    /// The v2 table (732 symbols).
    pub fn v2() -> &'static SymbolTable {
        static T: OnceLock<SymbolTable> = OnceLock::new();
        T.get_or_init(|| Self::from_json(include_str!("../../data/symbols_v2.json")))
    }

    /// Number of symbols.
    pub fn len(&self) -> usize {
        self.symbols.len()
    }

    /// Whether the table is empty (never, for the built-in tables).
    pub fn is_empty(&self) -> bool {
        self.symbols.is_empty()
    }

    /// The id of `symbol`.
    pub fn id(&self, symbol: &str) -> Option<u32> {
        self.index.get(symbol).copied()
    }

    /// The symbol of `id`.
    pub fn symbol(&self, id: u32) -> Option<&str> {
        self.symbols.get(id as usize).map(String::as_str)
    }

    /// Whether `symbol` is in the table.
    pub fn contains(&self, symbol: &str) -> bool {
        self.index.contains_key(symbol)
    }
}

/// `cleaned_text_to_sequence`: phone symbols to ids in `table`. Upstream's `clean_text` has
/// already replaced unknown symbols by `UNK`, so an unknown symbol here is an error.
pub fn cleaned_text_to_sequence<S: AsRef<str>>(phones: &[S], table: &SymbolTable) -> Result<Vec<u32>> {
    phones
        .iter()
        .map(|p| {
            table.id(p.as_ref()).ok_or_else(|| Error::InvalidArgument(format!("unknown phone symbol {:?}", p.as_ref())))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_have_the_documented_ids() {
        let v2 = SymbolTable::v2();
        assert_eq!(v2.len(), 732);
        assert_eq!(SymbolTable::v1().len(), 322);
        for (s, id) in [
            ("!", 0),
            (",", 1),
            ("-", 2),
            (".", 3),
            ("?", 4),
            ("SP", 77),
            ("UNK", 86),
            ("_", 95),
            ("…", 321),
            ("[", 322),
            ("]", 323),
        ] {
            assert_eq!(v2.id(s), Some(id), "{s}");
        }
        assert_eq!(cleaned_text_to_sequence(&["n", "i2", "h", "ao3", "."], v2).unwrap(), vec![227, 167, 158, 119, 3]);
        assert!(cleaned_text_to_sequence(&["nope"], v2).is_err());
        // v1 is the sorted prefix of v2.
        for i in 0..322 {
            assert_eq!(SymbolTable::v1().symbol(i), v2.symbol(i));
        }
    }
}
