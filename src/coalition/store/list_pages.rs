//! (placeholder: filled by its part of issue 20)
