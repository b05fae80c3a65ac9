//! Cursor paging shared by every list: a page size within bounds, and a cursor that is the
//! last row's time and id (`<unix micros>_<uuid>`), opaque to clients.

use crate::error::{AppError, AppResult};

/// The page size asked for, 1 to 200 (50 if absent).
pub(crate) fn page_size(limit: Option<u32>) -> AppResult<u32> {
    let limit = limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::invalid("limit", "use a page size from 1 to 200"));
    }
    Ok(limit)
}

/// Reads a cursor a previous page gave.
pub(crate) fn parse_cursor<Id: std::str::FromStr>(text: &str) -> AppResult<(i64, Id)> {
    let invalid = || AppError::invalid("cursor", "not a cursor from a previous page's next_cursor");
    let (micros, id) = text.split_once('_').ok_or_else(invalid)?;
    Ok((micros.parse().map_err(|_| invalid())?, id.parse().map_err(|_| invalid())?))
}

/// The cursor of the last row of a page.
pub(crate) fn cursor_text(micros: i64, id: impl std::fmt::Display) -> String {
    format!("{micros}_{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_bad_ones_are_refused() {
        let id = uuid::Uuid::from_u128(7);
        let text = cursor_text(1_700_000_000_000_000, id);
        assert_eq!(parse_cursor::<uuid::Uuid>(&text).ok(), Some((1_700_000_000_000_000, id)));
        for bad in ["", "12", "x_y", "12_not-a-uuid"] {
            assert!(parse_cursor::<uuid::Uuid>(bad).is_err(), "{bad}");
        }
        assert!(page_size(Some(0)).is_err() && page_size(Some(201)).is_err());
        assert_eq!(page_size(None).ok(), Some(50));
    }
}
