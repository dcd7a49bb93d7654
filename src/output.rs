//! Prints what each party receives: `party: NAME = VALUE` lines, or one JSON
//! object `{party: {output: value}}` (CLI.md).

use veil_circuit::value::Value;

/// One output and who receives it.
#[derive(Debug)]
pub struct Delivered<'a> {
    pub name: &'a str,
    pub recipients: &'a [usize],
    pub value: &'a Value,
}

/// The text form: per party in declaration order, its outputs in program order.
pub fn text(parties: &[String], outputs: &[Delivered<'_>], hex: bool) -> String {
    let mut s = String::new();
    for (pi, party) in parties.iter().enumerate() {
        for o in outputs.iter().filter(|o| o.recipients.contains(&pi)) {
            s.push_str(&format!("{party}: {} = {}\n", o.name, o.value.render(hex)));
        }
    }
    s
}

/// The JSON form; integers are JSON numbers (any size), or strings with `hex`.
pub fn json(parties: &[String], outputs: &[Delivered<'_>], hex: bool) -> String {
    let mut s = String::from("{");
    for (pi, party) in parties.iter().enumerate() {
        if pi > 0 {
            s.push_str(", ");
        }
        s.push_str(&quote(party));
        s.push_str(": {");
        let mine = outputs.iter().filter(|o| o.recipients.contains(&pi));
        for (i, o) in mine.enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            s.push_str(&quote(o.name));
            s.push_str(": ");
            json_value(&mut s, o.value, hex);
        }
        s.push('}');
    }
    s.push_str("}\n");
    s
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
