//! Both ends' records of one session, checked against each other. Each
//! record holds the other's signed checkpoints, so a record cut or
//! rewritten after the other end witnessed it is found out, and the two
//! must tell the same story of consent and grants.

use super::Report;
use crate::merkle::root_of;
use crate::record::{Fact, Side};
use tessera_proto::Grants;

/// Checks that `a` and `b` are the two ends of one session and agree.
/// `Ok` carries notes for the auditor (what one end holds of the other);
/// `Err` the first disagreement.
pub fn cross_check(a: &Report, b: &Report) -> Result<Vec<String>, String> {
    if a.fault.is_some() || b.fault.is_some() {
        return Err("a record that is not valid cannot be compared".into());
    }
    let (agent, viewer) = match (a.side, b.side) {
        (Some(Side::Agent), Some(Side::Viewer)) => (a, b),
        (Some(Side::Viewer), Some(Side::Agent)) => (b, a),
        _ => return Err("the two records are not an agent's and a viewer's".into()),
    };
    if agent.session_id != viewer.session_id {
        return Err(format!(
            "the records are of two sessions ({} and {})",
            hex::encode(agent.session_id),
            hex::encode(viewer.session_id)
        ));
    }
    let mut notes = Vec::new();
    for (holder, held, name) in [(agent, viewer, "viewer"), (viewer, agent, "agent")] {
        match &holder.peer {
            Some((origin, key)) if *origin == held.origin && *key == held.log_key => {}
            Some(_) => {
                return Err(format!(
                    "the {name}'s log key is not the one the other record names"
                ))
            }
            None => {
                notes.push(format!("the other record never got the {name}'s log key"));
                continue;
            }
        }
        let mut last = 0;
        for (size, root) in &holder.peer_checkpoints {
            let Some(leaves) = usize::try_from(*size)
                .ok()
                .and_then(|s| held.hashes.get(..s))
            else {
                return Err(format!(
                    "the {name}'s record was cut: it has {} events, but the other side holds its signed checkpoint at {size}",
                    held.hashes.len()
                ));
            };
            if root_of(leaves) != *root {
                return Err(format!(
                    "the {name}'s record was rewritten: its first {size} events do not match the checkpoint the other side holds"
                ));
            }
            last = *size;
        }
        notes.push(format!(
            "the other record holds the {name}'s checkpoint at {last} events of {}",
            held.hashes.len()
        ));
    }
    // A record cut short (a crash) tells the start of the other's story.
    let (ga, gv) = (grants(agent), grants(viewer));
    let n = ga.len().min(gv.len());
    let both_whole = agent.whole() && viewer.whole();
    if ga[..n] != gv[..n] || (both_whole && ga.len() != gv.len()) {
        return Err("the two records tell different grants".into());
    }
    if both_whole && ended(agent) != ended(viewer) {
        return Err("the two records end for different reasons".into());
    }
    Ok(notes)
}

/// The grants in force after each change, in order.
fn grants(report: &Report) -> Vec<Grants> {
    report
        .leaves
        .iter()
        .filter_map(|leaf| match leaf.fact {
            Fact::Consent { granted }
            | Fact::GrantChanged { granted }
            | Fact::UpgradeGranted { granted } => Some(granted),
            _ => None,
        })
        .collect()
}

fn ended(report: &Report) -> Option<tessera_proto::EndReason> {
    report.leaves.iter().find_map(|leaf| match leaf.fact {
        Fact::SessionEnded { reason, .. } => Some(reason),
        _ => None,
    })
}
