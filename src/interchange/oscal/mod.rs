//! OSCAL mapping collections (the `mapping-collection` model of OSCAL 1.2): read
//! leniently into the neutral form, written strictly (OSCAL 1.2.2) from a result;
//! and OSCAL catalogs, read into the neutral form of a catalog tree.

mod catalog;
mod read;
mod write;

pub use catalog::read_catalog;
pub use read::read;
pub use write::{word, write, Origin, OSCAL_VERSION};
