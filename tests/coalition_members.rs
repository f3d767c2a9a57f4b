//! Tests of the coalition list (issue 20): coalition_members.
