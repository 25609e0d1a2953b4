//! ARM template expressions (`"[concat(parameters('prefix'), '-vmss')]"`): a parser and a pure
//! evaluator for the subset real templates use. What depends on the deployment itself
//! (`reference()`, `list*()`, a parameter without a value) evaluates to [`Unresolved`], which
//! the importer reports by path only if the value matters.

use serde_json::{Map, Value, json};

/// An expression's syntax tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Str(String),
    Int(i64),
    Call(String, Vec<Expr>),
    Member(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
}

/// Why a value could not be computed without deploying.
#[derive(Debug, Clone, PartialEq)]
pub struct Unresolved(pub String);

/// The result of evaluating: a value, or why there is none.
pub type Outcome = Result<Value, Unresolved>;

/// Parses the text between the brackets of `"[...]"`.
///
/// # Errors
/// A syntax error, with the position.
pub fn parse(text: &str) -> Result<Expr, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut p = Parser { chars: &chars, at: 0, depth: 0 };
    let e = p.expr()?;
    p.space();
    if p.at != chars.len() {
        return Err(format!("unexpected '{}' at character {}", chars[p.at], p.at + 1));
    }
    Ok(e)
}

struct Parser<'a> {
    chars: &'a [char],
    at: usize,
    depth: usize,
}

/// The deepest nesting of calls, members and indexes parsed.
const MAX_NESTING: usize = 64;
/// The longest text an expression may build.
const MAX_TEXT: usize = 1 << 20;

impl Parser<'_> {
    fn space(&mut self) {
        while self.chars.get(self.at).is_some_and(|c| c.is_whitespace()) {
            self.at += 1;
        }
    }
    fn peek(&mut self) -> Option<char> {
        self.space();
        self.chars.get(self.at).copied()
    }
    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.peek() == Some(c) {
            self.at += 1;
            Ok(())
        } else {
            Err(format!("expected '{c}' at character {}", self.at + 1))
        }
    }
    fn expr(&mut self) -> Result<Expr, String> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(format!("the expression nests deeper than {MAX_NESTING} levels"));
        }
        let e = self.postfix();
        self.depth -= 1;
        e
    }
    fn postfix(&mut self) -> Result<Expr, String> {
        let mut e = self.primary()?;
        loop {
            match self.peek() {
                Some('.') => {
                    self.at += 1;
                    let name = self.ident()?;
                    e = Expr::Member(Box::new(e), name);
                }
                Some('[') => {
                    self.at += 1;
                    let index = self.expr()?;
                    self.expect(']')?;
                    e = Expr::Index(Box::new(e), Box::new(index));
                }
                _ => return Ok(e),
            }
        }
    }
    fn ident(&mut self) -> Result<String, String> {
        self.space();
        let start = self.at;
        while self.chars.get(self.at).is_some_and(|c| c.is_alphanumeric() || *c == '_' || *c == '$') {
            self.at += 1;
        }
        if start == self.at {
            return Err(format!("expected a name at character {}", self.at + 1));
        }
        Ok(self.chars[start..self.at].iter().collect())
    }
    fn primary(&mut self) -> Result<Expr, String> {
        match self.peek() {
            Some('\'') => {
                self.at += 1;
                let mut s = String::new();
                loop {
                    match self.chars.get(self.at) {
                        None => return Err("a string is not closed".to_owned()),
                        Some('\'') if self.chars.get(self.at + 1) == Some(&'\'') => {
                            s.push('\'');
                            self.at += 2;
                        }
                        Some('\'') => {
                            self.at += 1;
                            return Ok(Expr::Str(s));
                        }
                        Some(c) => {
                            s.push(*c);
                            self.at += 1;
                        }
                    }
                }
            }
            Some(c) if c.is_ascii_digit() || c == '-' => {
                let start = self.at;
                self.at += 1;
                while self.chars.get(self.at).is_some_and(char::is_ascii_digit) {
                    self.at += 1;
                }
                let text: String = self.chars[start..self.at].iter().collect();
                text.parse().map(Expr::Int).map_err(|_| format!("'{text}' is not a whole number"))
            }
            _ => {
                let name = self.ident()?;
                self.expect('(')?;
                let mut args = Vec::new();
                if self.peek() == Some(')') {
                    self.at += 1;
                } else {
                    loop {
                        args.push(self.expr()?);
                        match self.peek() {
                            Some(',') => self.at += 1,
                            Some(')') => {
                                self.at += 1;
                                break;
                            }
                            _ => return Err(format!("expected ',' or ')' at character {}", self.at + 1)),
                        }
                    }
                }
                Ok(Expr::Call(name, args))
            }
        }
    }
}

/// What expressions read: parameters, variables, the deployment's resource group, the copy
/// index.
pub trait Scope {
    fn parameter(&self, name: &str) -> Outcome;
    fn variable(&self, name: &str) -> Outcome;
    fn location(&self) -> Outcome;
    fn copy_index(&self) -> Option<i64>;
    /// Counts one step of work; refuses once the evaluation has taken too many (a template
    /// whose variables double each other must not run for hours).
    fn step(&self) -> Result<(), Unresolved> {
        Ok(())
    }
}

/// The subscription and resource group IDs written into `resourceId()` values: placeholders,
/// since nothing is deployed.
const SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";
const RESOURCE_GROUP: &str = "resourceGroup";

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn int(v: &Value) -> Result<i64, Unresolved> {
    v.as_i64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
        .ok_or_else(|| Unresolved(format!("{v} is not a whole number")))
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::String(s) => s.eq_ignore_ascii_case("true"),
        Value::Number(n) => n.as_i64() != Some(0),
        _ => false,
    }
}

/// A stand-in for ARM's `uniqueString()`: 13 lowercase characters derived deterministically
/// from the arguments (FNV-1a, base 32). Azure's own algorithm is not published; names built
/// from it differ from those of a real deployment (the README says so).
fn unique_string(args: &[Value]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in args.iter().map(text).collect::<Vec<_>>().join("-").bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let alphabet = b"abcdefghijklmnopqrstuvwxyz234567";
    (0..13)
        .map(|i| {
            let shift = (i * 5) % 64;
            char::from(alphabet[usize::try_from((hash >> shift) & 31).unwrap_or(0)])
        })
        .collect()
}

/// Evaluates an expression.
pub fn eval(e: &Expr, scope: &dyn Scope) -> Outcome {
    match e {
        Expr::Str(s) => Ok(json!(s)),
        Expr::Int(i) => Ok(json!(i)),
        Expr::Member(inner, name) => {
            let v = eval(inner, scope)?;
            v.as_object()
                .and_then(|m| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone()))
                .ok_or_else(|| Unresolved(format!("no property '{name}'")))
        }
        Expr::Index(inner, index) => {
            let v = eval(inner, scope)?;
            let i = eval(index, scope)?;
            match (&v, &i) {
                (Value::Array(items), _) => usize::try_from(int(&i)?)
                    .ok()
                    .and_then(|n| items.get(n).cloned())
                    .ok_or_else(|| Unresolved(format!("index {i} is out of range"))),
                (Value::Object(map), Value::String(key)) => map
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(key))
                    .map(|(_, v)| v.clone())
                    .ok_or_else(|| Unresolved(format!("no property '{key}'"))),
                _ => Err(Unresolved(format!("cannot index {v} with {i}"))),
            }
        }
        Expr::Call(name, args) => {
            scope.step()?;
            let v = call(&name.to_ascii_lowercase(), args, scope)?;
            if v.as_str().is_some_and(|s| s.len() > MAX_TEXT) {
                return Err(Unresolved(format!("{name}() builds a text longer than {MAX_TEXT} bytes")));
            }
            Ok(v)
        }
    }
}

fn call(name: &str, args: &[Expr], scope: &dyn Scope) -> Outcome {
    // Functions whose arguments are not all evaluated first.
    match name {
        "if" => {
            let [c, a, b] = args else { return Err(Unresolved("if() takes three arguments".into())) };
            return if truthy(&eval(c, scope)?) { eval(a, scope) } else { eval(b, scope) };
        }
        "reference" | "deployment" | "environment" | "managementgroup" | "tenant" | "newguid" | "utcnow" => {
            return Err(Unresolved(format!("{name}() is known only when deploying")));
        }
        n if n.starts_with("list") => return Err(Unresolved(format!("{name}() is known only when deploying"))),
        _ => {}
    }
    let values: Vec<Value> = args.iter().map(|a| eval(a, scope)).collect::<Result<_, _>>()?;
    let arg = |i: usize| values.get(i).cloned().ok_or_else(|| Unresolved(format!("{name}() lacks argument {}", i + 1)));
    match name {
        "parameters" => scope.parameter(&text(&arg(0)?)),
        "variables" => scope.variable(&text(&arg(0)?)),
        "concat" => {
            if values.iter().all(Value::is_array) {
                Ok(Value::Array(values.iter().flat_map(|v| v.as_array().cloned().unwrap_or_default()).collect()))
            } else {
                Ok(json!(values.iter().map(text).collect::<String>()))
            }
        }
        "format" => {
            let mut out = text(&arg(0)?);
            for (i, v) in values.iter().enumerate().skip(1) {
                out = out.replace(&format!("{{{}}}", i - 1), &text(v));
            }
            Ok(json!(out))
        }
        "tolower" => Ok(json!(text(&arg(0)?).to_lowercase())),
        "toupper" => Ok(json!(text(&arg(0)?).to_uppercase())),
        "trim" => Ok(json!(text(&arg(0)?).trim())),
        "replace" => Ok(json!(text(&arg(0)?).replace(&text(&arg(1)?), &text(&arg(2)?)))),
        "substring" => {
            let s: Vec<char> = text(&arg(0)?).chars().collect();
            let start = usize::try_from(int(&arg(1)?)?).unwrap_or(0).min(s.len());
            let len = match values.get(2) {
                Some(l) => usize::try_from(int(l)?).unwrap_or(0),
                None => s.len() - start,
            };
            Ok(json!(s[start..start.saturating_add(len).min(s.len())].iter().collect::<String>()))
        }
        "string" => Ok(json!(text(&arg(0)?))),
        "int" => Ok(json!(int(&arg(0)?)?)),
        "bool" => Ok(json!(truthy(&arg(0)?))),
        "json" => serde_json::from_str(&text(&arg(0)?)).map_err(|e| Unresolved(format!("json(): {e}"))),
        "true" => Ok(json!(true)),
        "false" => Ok(json!(false)),
        "null" => Ok(Value::Null),
        "equals" => Ok(json!(arg(0)? == arg(1)?)),
        "not" => Ok(json!(!truthy(&arg(0)?))),
        "and" => Ok(json!(values.iter().all(truthy))),
        "or" => Ok(json!(values.iter().any(truthy))),
        "empty" => Ok(json!(match arg(0)? {
            Value::Null => true,
            Value::String(s) => s.is_empty(),
            Value::Array(a) => a.is_empty(),
            Value::Object(o) => o.is_empty(),
            _ => false,
        })),
        "length" => Ok(json!(match arg(0)? {
            Value::String(s) => s.chars().count(),
            Value::Array(a) => a.len(),
            Value::Object(o) => o.len(),
            other => return Err(Unresolved(format!("length() of {other}"))),
        })),
        "add" => int(&arg(0)?)?
            .checked_add(int(&arg(1)?)?)
            .map(Value::from)
            .ok_or_else(|| Unresolved("add() overflows".into())),
        "sub" => int(&arg(0)?)?
            .checked_sub(int(&arg(1)?)?)
            .map(Value::from)
            .ok_or_else(|| Unresolved("sub() overflows".into())),
        "mul" => Ok(json!(int(&arg(0)?)?.saturating_mul(int(&arg(1)?)?))),
        "div" => {
            let d = int(&arg(1)?)?;
            if d == 0 {
                return Err(Unresolved("div() by zero".into()));
            }
            int(&arg(0)?)?.checked_div(d).map(Value::from).ok_or_else(|| Unresolved("div() overflows".into()))
        }
        "min" => values.iter().map(int).collect::<Result<Vec<_>, _>>().map(|v| json!(v.into_iter().min())),
        "max" => values.iter().map(int).collect::<Result<Vec<_>, _>>().map(|v| json!(v.into_iter().max())),
        "createarray" => Ok(Value::Array(values)),
        "createobject" => {
            let mut map = Map::new();
            for pair in values.chunks(2) {
                if let [k, v] = pair {
                    map.insert(text(k), v.clone());
                }
            }
            Ok(Value::Object(map))
        }
        "union" => {
            let mut map = Map::new();
            for v in &values {
                if let Value::Object(o) = v {
                    map.extend(o.clone());
                }
            }
            Ok(Value::Object(map))
        }
        "coalesce" => Ok(values.into_iter().find(|v| !v.is_null()).unwrap_or(Value::Null)),
        "first" => match arg(0)? {
            Value::Array(a) => Ok(a.first().cloned().unwrap_or(Value::Null)),
            other => Ok(json!(text(&other).chars().next().map(String::from).unwrap_or_default())),
        },
        "last" => match arg(0)? {
            Value::Array(a) => Ok(a.last().cloned().unwrap_or(Value::Null)),
            other => Ok(json!(text(&other).chars().last().map(String::from).unwrap_or_default())),
        },
        "contains" => Ok(json!(match arg(0)? {
            Value::Array(a) => a.contains(&arg(1)?),
            Value::Object(o) => o.contains_key(&text(&arg(1)?)),
            other => text(&other).contains(&text(&arg(1)?)),
        })),
        "split" => Ok(json!(text(&arg(0)?).split(&text(&arg(1)?)).collect::<Vec<_>>())),
        "uniquestring" => Ok(json!(unique_string(&values))),
        "copyindex" => {
            let index = scope.copy_index().ok_or_else(|| Unresolved("copyIndex() outside a copy loop".into()))?;
            let offset = values.iter().find_map(|v| v.as_i64()).unwrap_or(0);
            index.checked_add(offset).map(Value::from).ok_or_else(|| Unresolved("copyIndex() overflows".into()))
        }
        "resourcegroup" => Ok(json!({
            "name": RESOURCE_GROUP,
            "location": scope.location()?,
            "id": format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/{RESOURCE_GROUP}"),
        })),
        "subscription" => Ok(json!({ "subscriptionId": SUBSCRIPTION, "id": format!("/subscriptions/{SUBSCRIPTION}") })),
        "resourceid" => {
            let parts: Vec<String> = values.iter().map(text).collect();
            // An optional subscription and group come first; the type has '/'.
            let Some(at) = parts.iter().position(|p| p.contains('/')) else {
                return Err(Unresolved("resourceId() without a resource type".into()));
            };
            let kind: Vec<&str> = parts[at].split('/').collect();
            let names = &parts[at + 1..];
            let mut id = format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/{RESOURCE_GROUP}/providers/{}", kind[0]);
            for (i, segment) in kind.iter().skip(1).enumerate() {
                id.push_str(&format!("/{segment}/{}", names.get(i).map_or("", String::as_str)));
            }
            Ok(json!(id))
        }
        other => Err(Unresolved(format!("the function {other}() is not evaluated by import"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed;
    impl Scope for Fixed {
        fn parameter(&self, name: &str) -> Outcome {
            match name {
                "prefix" => Ok(json!("web")),
                "count" => Ok(json!(3)),
                _ => Err(Unresolved(format!("the parameter '{name}' has no value"))),
            }
        }
        fn variable(&self, name: &str) -> Outcome {
            if name == "settings" {
                Ok(json!({ "sku": { "name": "Standard_D2s_v5" } }))
            } else {
                Err(Unresolved(name.into()))
            }
        }
        fn location(&self) -> Outcome {
            Ok(json!("eastus"))
        }
        fn copy_index(&self) -> Option<i64> {
            Some(1)
        }
    }

    fn run(text: &str) -> Outcome {
        eval(&parse(text).unwrap(), &Fixed)
    }

    #[test]
    fn the_functions_real_templates_use() {
        assert_eq!(run("concat(parameters('prefix'), '-vmss')"), Ok(json!("web-vmss")));
        assert_eq!(
            run("format('{0}-{1}', toUpper(parameters('prefix')), add(parameters('count'), 1))"),
            Ok(json!("WEB-4"))
        );
        assert_eq!(run("variables('settings').sku.name"), Ok(json!("Standard_D2s_v5")));
        assert_eq!(run("resourceGroup().location"), Ok(json!("eastus")));
        assert_eq!(run("if(equals(parameters('count'), 3), 'three', 'other')"), Ok(json!("three")));
        assert_eq!(run("substring('abcdef', 1, 3)"), Ok(json!("bcd")));
        assert_eq!(run("int('42')"), Ok(json!(42)));
        assert_eq!(run("json('{\"a\": [1, 2]}').a[1]"), Ok(json!(2)));
        assert_eq!(run("concat('it''s ', string(copyIndex(1)))"), Ok(json!("it's 2")));
        assert_eq!(
            run("resourceId('Microsoft.Compute/virtualMachineScaleSets', 'web')"),
            Ok(json!(
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/resourceGroup/providers/Microsoft.Compute/virtualMachineScaleSets/web"
            ))
        );
        assert_eq!(run("uniqueString('a')"), run("uniqueString('a')"));
        assert_eq!(run("uniqueString('a')").unwrap().as_str().unwrap().len(), 13);
    }

    #[test]
    fn what_only_a_deployment_knows_is_unresolved_not_guessed() {
        assert!(run("reference('x').outputs").unwrap_err().0.contains("reference()"));
        assert!(run("listKeys('x', '2020-01-01')").unwrap_err().0.contains("listkeys()"));
        assert!(run("parameters('missing')").unwrap_err().0.contains("'missing' has no value"));
        assert!(parse("concat('a'").is_err());
        assert!(parse("concat('a') extra").is_err());
    }
}
