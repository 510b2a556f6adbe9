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
    /// Per control: the mapping rows whose source it is.
    pub outgoing: Vec<Vec<MapId>>,
    /// Per control: the mapping rows whose target it is.
    pub incoming: Vec<Vec<MapId>>,
    /// The rows with several sources: they are not links of one control, and
    /// coverage reads them whole (see [`crate::coverage`]).
    pub groups: Vec<MapId>,
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
    /// Builds the name and id tables; returns the names that clash (`name`, first, second).
    pub fn build(frameworks: &[Framework], controls: &[Control]) -> (Index, Vec<(String, FwId, FwId)>) {
        let mut index = Index { ids: vec![HashMap::default(); frameworks.len()], ..Index::default() };
        let mut clashes = Vec::new();
        for (fw_id, fw) in frameworks.iter().enumerate() {
            let fw_id = fw_id as FwId;
            for name in std::iter::once(&fw.key).chain(&fw.aliases) {
                if let Some(&first) = index.names.get(&name.to_ascii_lowercase()) {
                    if first != fw_id {
                        clashes.push((name.clone(), first, fw_id));
                    }
                    continue;
                }
                index.names.insert(name.to_ascii_lowercase(), fw_id);
            }
        }
        for (ctl_id, c) in controls.iter().enumerate() {
            let ids = &mut index.ids[c.framework as usize];
            ids.entry(c.id.clone()).or_insert(ctl_id as CtlId);
            for alias in &c.aliases {
                ids.entry(Text::Owned(alias.clone())).or_insert(ctl_id as CtlId);
            }
        }
        index.outgoing = vec![Vec::new(); controls.len()];
        index.incoming = vec![Vec::new(); controls.len()];
        (index, clashes)
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
    pub fn control(&self, fw: &Framework, fw_id: FwId, controls: &[Control], id: &str) -> Found {
        let ids = &self.ids[fw_id as usize];
        if let Some(&c) = ids.get(id) {
            return Found::Exact(c);
        }
        let stripped = fw
            .id_prefixes
            .iter()
            .find_map(|p| id.get(..p.len()).filter(|head| head.eq_ignore_ascii_case(p)).map(|_| &id[p.len()..]))
            .unwrap_or(id);
        if let Some(&c) = ids.get(stripped) {
            return Found::Loose(c);
        }
        let range = fw.controls.clone();
        let loose = range.clone().find(|&c| controls[c as usize].id.eq_ignore_ascii_case(stripped)).or_else(|| {
            ids.iter().find(|(alias, &c)| range.contains(&c) && alias.eq_ignore_ascii_case(stripped)).map(|(_, &c)| c)
        });
        loose.map_or(Found::Missing, Found::Loose)
    }
}
