//! TODO (being written)
