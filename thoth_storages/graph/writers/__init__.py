"""Writers: one validated document -> its rows, set-based, inside the caller's transaction."""
