//! The `--events json` rendering of [`SessionEvent`]s: one JSON object a
//! line, the shapes of the command-line contract. Pure: the caller passes
//! the clock reading used for absolute times.

use crate::SessionEvent;
use std::time::{Duration, SystemTime};

/// One JSON line (without newline) for `event`, read at `now`.
pub fn json_line(event: &SessionEvent, now: SystemTime) -> String {
    let mut value = serde_json::to_value(event).unwrap_or_default();
    if let (
        SessionEvent::Code {
            expires_in_secs, ..
        },
        Some(obj),
    ) = (event, value.as_object_mut())
    {
        let at = now + Duration::from_secs(u64::from(*expires_in_secs));
        obj.insert(
            "expires_at".into(),
            humantime::format_rfc3339_seconds(at).to_string().into(),
        );
    }
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_event_carries_an_absolute_expiry() {
        let event = SessionEvent::Code {
            code: "482 913 577 2".into(),
            expires_in_secs: 600,
        };
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000);
        let line = json_line(&event, now);
        let v: serde_json::Value = serde_json::from_str(&line).expect("json");
        assert_eq!(v["event"], "code");
        assert_eq!(v["code"], "482 913 577 2");
        assert_eq!(v["expires_at"], "2026-11-18T11:16:40Z");
    }
}
