//! Prints what each party receives: `party: NAME = VALUE` lines, or one JSON
//! object `{party: {output: value}}` (CLI.md).

use veil_circuit::value::Value;

/// What every party received: `received[p][o]` is party `p`'s value of
/// output `o`, `None` where it is not a recipient.
#[derive(Debug)]
pub struct Received<'a> {
    pub parties: &'a [String],
    pub outputs: &'a [String],
    pub received: &'a [Vec<Option<Value>>],
}

/// The text form: per party in declaration order, its outputs in program order.
pub fn text(r: &Received<'_>, hex: bool) -> String {
    let mut s = String::new();
    for (party, values) in r.parties.iter().zip(r.received) {
        for (name, v) in r.outputs.iter().zip(values) {
            if let Some(v) = v {
                s.push_str(&format!("{party}: {name} = {}\n", v.render(hex)));
            }
        }
    }
    s
}

/// The text form of one party's outputs in network mode: `NAME = VALUE`
/// lines, without the party prefix (the process is the party).
pub fn text_unprefixed(outputs: &[String], values: &[Option<Value>], hex: bool) -> String {
    let mut s = String::new();
    for (name, v) in outputs.iter().zip(values) {
        if let Some(v) = v {
            s.push_str(&format!("{name} = {}\n", v.render(hex)));
        }
    }
    s
}

/// The JSON form; integers are JSON numbers (any size), or strings with `hex`.
pub fn json(r: &Received<'_>, hex: bool) -> String {
    let mut s = String::from("{");
    for (pi, (party, values)) in r.parties.iter().zip(r.received).enumerate() {
        if pi > 0 {
            s.push_str(", ");
        }
        s.push_str(&quote(party));
        s.push_str(": {");
        let mine = r
            .outputs
            .iter()
            .zip(values)
            .filter_map(|(n, v)| Some((n, v.as_ref()?)));
        for (i, (name, v)) in mine.enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            s.push_str(&quote(name));
            s.push_str(": ");
            json_value(&mut s, v, hex);
        }
        s.push('}');
    }
    s.push_str("}\n");
    s
}

/// `quote` for other modules' JSON.
pub fn json_string(text: &str) -> String {
    quote(text)
}

fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("\"{text}\""))
}

fn json_value(s: &mut String, v: &Value, hex: bool) {
    match v {
        Value::Bool(b) => s.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) if hex => s.push_str(&quote(&i.to_hex())),
        Value::Int(i) => s.push_str(&i.to_string()),
        Value::Array(items) | Value::Tuple(items) => {
            s.push('[');
            for (k, x) in items.iter().enumerate() {
                if k > 0 {
                    s.push_str(", ");
                }
                json_value(s, x, hex);
            }
            s.push(']');
        }
        Value::Struct(_, fields) => {
            s.push('{');
            for (k, (n, x)) in fields.iter().enumerate() {
                if k > 0 {
                    s.push_str(", ");
                }
                s.push_str(&quote(n));
                s.push_str(": ");
                json_value(s, x, hex);
            }
            s.push('}');
        }
    }
}
