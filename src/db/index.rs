//! Lookup tables over a loaded database: names to frameworks, ids to controls, controls to mappings.

use rustc_hash::FxHashMap as HashMap;

use crate::model::{Control, CtlId, Framework, FwId, MapId, Mapping, Text};

/// The lookup tables; built once per load.
#[derive(Debug, Default, Clone)]
pub struct Index {
    /// Lower-cased framework keys and aliases.
    names: HashMap<String, FwId>,
    /// Per framework: exact ids and aliases.
    ids: Vec<HashMap<Text, CtlId>>,
    /// Per framework: ids, then aliases, in ASCII lower case, for lookups that ignore case.
    folded: Vec<HashMap<String, CtlId>>,
    /// Per control: the mapping rows whose source it is.
    pub outgoing: Vec<Vec<MapId>>,
    /// Per control: the mapping rows whose target it is.
    pub incoming: Vec<Vec<MapId>>,
    /// The rows with several sources: they are not links of one control, and
    /// coverage reads them whole (see [`crate::coverage`]).
    pub groups: Vec<MapId>,
}

/// Names that a database gives twice.
#[derive(Debug, Default)]
pub struct Clashes {
    /// Framework names: (name, first framework, second framework).
    pub names: Vec<(String, FwId, FwId)>,
    /// Control aliases that are another control's id or alias: (control, alias, the other control).
    pub aliases: Vec<(CtlId, String, CtlId)>,
}

/// The outcome of looking up a control id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// Spelled as the catalog spells it (or as one of its aliases).
    Exact(CtlId),
    /// Found by ignoring case or an accepted prefix (`A.5.15`, `cc6.1`).
    Loose(CtlId),
    Missing,
}

impl Index {
    /// Builds the name and id tables; returns what clashes in them.
    pub fn build(frameworks: &[Framework], controls: &[Control]) -> (Index, Clashes) {
        let mut index = Index {
            ids: vec![HashMap::default(); frameworks.len()],
            folded: vec![HashMap::default(); frameworks.len()],
            ..Index::default()
        };
        let mut clashes = Clashes::default();
        for (fw_id, fw) in frameworks.iter().enumerate() {
            let fw_id = fw_id as FwId;
            for name in std::iter::once(&fw.key).chain(&fw.aliases) {
                if let Some(&first) = index.names.get(&name.to_ascii_lowercase()) {
                    if first != fw_id {
                        clashes.names.push((name.clone(), first, fw_id));
                    }
                    continue;
                }
                index.names.insert(name.to_ascii_lowercase(), fw_id);
            }
        }
        // Every id before any alias: an alias never takes another control's id.
        for (ctl_id, c) in controls.iter().enumerate() {
            index.ids[c.framework as usize].entry(c.id.clone()).or_insert(ctl_id as CtlId);
            index.folded[c.framework as usize].entry(c.id.to_ascii_lowercase()).or_insert(ctl_id as CtlId);
        }
        index.add_aliases(controls, &mut clashes);
        index.outgoing = vec![Vec::new(); controls.len()];
        index.incoming = vec![Vec::new(); controls.len()];
        (index, clashes)
    }

    /// Enters every control's aliases, after all ids: an alias that is another
    /// control's id or alias is a clash, and left out.
    fn add_aliases(&mut self, controls: &[Control], clashes: &mut Clashes) {
        for (ctl_id, c) in controls.iter().enumerate() {
            let ctl_id = ctl_id as CtlId;
            let (ids, folded) = (&mut self.ids[c.framework as usize], &mut self.folded[c.framework as usize]);
            for alias in &c.aliases {
                match ids.get(alias.as_str()) {
                    Some(&other) if other != ctl_id => clashes.aliases.push((ctl_id, alias.clone(), other)),
                    Some(_) => {}
                    None => {
                        ids.insert(Text::from(alias.clone()), ctl_id);
                    }
                }
                folded.entry(alias.to_ascii_lowercase()).or_insert(ctl_id);
            }
        }
    }

    /// Records the mapping rows against their controls.
    pub fn add_mappings(&mut self, mappings: &[Mapping]) {
        for (i, m) in mappings.iter().enumerate() {
            if m.is_group() {
                self.groups.push(i as MapId);
                continue;
            }
            self.outgoing[m.source as usize].push(i as MapId);
            self.incoming[m.target as usize].push(i as MapId);
        }
    }

    /// The framework called `name` (key or alias, any case).
    pub fn framework(&self, name: &str) -> Option<FwId> {
        self.names.get(&name.to_ascii_lowercase()).copied()
    }

    /// All names a framework answers to, for suggestions.
    pub fn framework_names(&self) -> impl Iterator<Item = &str> {
        self.names.keys().map(String::as_str)
    }

    /// Looks `id` up in framework `fw`: exactly, then ignoring case and accepted prefixes.
    pub fn control(&self, fw: &Framework, fw_id: FwId, id: &str) -> Found {
        let ids = &self.ids[fw_id as usize];
        if let Some(&c) = ids.get(id) {
            return Found::Exact(c);
        }
        let stripped = fw.without_prefix(id);
        if let Some(&c) = ids.get(stripped) {
            return Found::Loose(c);
        }
        // A table, not a scan: a file of thousands of unknown ids stays linear.
        match self.folded[fw_id as usize].get(&stripped.to_ascii_lowercase()) {
            Some(&c) => Found::Loose(c),
            None => Found::Missing,
        }
    }
}
