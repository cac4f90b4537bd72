//! Evaluation of a parsed template, with Go's execution error texts
//! (`template: :1:3: executing "" at <.Foo>: can't evaluate field Foo in type ...`).

use std::fmt::Write as _;

use super::lex::go_quote;
use super::parse::{Arg, Branch, Command, Node, Number, Pipe};

/// Largest output we produce; templates render hostnames, so this only stops runaway `range`s.
const MAX_OUTPUT: usize = 1 << 20;
/// Most loop iterations in one evaluation.
const MAX_STEPS: usize = 100_000;

/// A value during evaluation (Go's `reflect.Value`, narrowed to what the data can hold).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// No value (Go's invalid `reflect.Value`), printed as `<no value>`.
    Missing,
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// The data struct.
    Data,
}

/// The data struct a template sees, and the `label` function.
pub(crate) struct Data<'a> {
    /// Go's type name of the data struct, for `can't evaluate field X in type T`.
    pub type_name: &'a str,
    /// `(Name, value)` in declaration order.
    pub fields: [(&'static str, &'a str); 5],
    /// `label "key"`.
    pub label: &'a dyn Fn(&str) -> std::result::Result<String, String>,
}

/// An execution failure: where (`:line:col`), the node's text, and the message.
pub(crate) struct ExecError(pub String);

type Result<T> = std::result::Result<T, ExecError>;

enum Flow {
    Normal,
    Break,
    Continue,
}

pub(crate) fn execute(source: &str, nodes: &[Node], data: &Data<'_>) -> Result<String> {
    let mut s = State {
        source,
        data,
        out: String::new(),
        vars: vec![("$".to_owned(), Value::Data)],
        at: None,
        steps: 0,
    };
    s.walk_list(&Value::Data, nodes)?;
    Ok(s.out)
}

struct State<'a> {
    source: &'a str,
    data: &'a Data<'a>,
    out: String,
    vars: Vec<(String, Value)>,
    /// The node being evaluated: its position and text, for error context.
    at: Option<(usize, String)>,
    steps: usize,
}

impl State<'_> {
    fn at(&mut self, pos: usize, context: impl std::fmt::Display) {
        self.at = Some((pos, context.to_string()));
    }

    fn errorf<T>(&self, message: impl std::fmt::Display) -> Result<T> {
        match &self.at {
            None => Err(ExecError(format!("template: : {message}"))),
            Some((pos, context)) => {
                let before = self.source.get(..*pos).unwrap_or(self.source);
                let line = 1 + before.matches('\n').count();
                let col = match before.rfind('\n') {
                    Some(nl) => pos - (nl + 1),
                    None => *pos,
                };
                let context = if context.len() > 20 {
                    let mut cut = 20;
                    while !context.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    format!("{}...", &context[..cut])
                } else {
                    context.clone()
                };
                Err(ExecError(format!(
                    "template: :{line}:{col}: executing \"\" at <{context}>: {message}"
                )))
            }
        }
    }

    fn type_name(&self, v: &Value) -> String {
        match v {
            Value::Missing => "<nil>".to_owned(),
            Value::Str(_) => "string".to_owned(),
            Value::Int(_) => "int".to_owned(),
            Value::Float(_) => "float64".to_owned(),
            Value::Bool(_) => "bool".to_owned(),
            Value::Data => self.data.type_name.to_owned(),
        }
    }

    fn print(&self, v: &Value) -> String {
        match v {
            Value::Missing => "<no value>".to_owned(),
            Value::Str(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => format_float(*f),
            Value::Bool(b) => b.to_string(),
            Value::Data => {
                let values: Vec<&str> = self.data.fields.iter().map(|(_, v)| *v).collect();
                format!("{{{}}}", values.join(" "))
            }
        }
    }

    fn emit(&mut self, text: &str) -> Result<()> {
        if self.out.len() + text.len() > MAX_OUTPUT {
            return Err(ExecError(format!(
                "template: : output is larger than {MAX_OUTPUT} bytes; kuma-mzs stopped evaluating"
            )));
        }
        self.out.push_str(text);
        Ok(())
    }

    fn walk_list(&mut self, dot: &Value, nodes: &[Node]) -> Result<Flow> {
        for node in nodes {
            match self.walk(dot, node)? {
                Flow::Normal => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, dot: &Value, node: &Node) -> Result<Flow> {
        match node {
            Node::Text(t) => self.emit(t)?,
            Node::Action(pipe) => {
                let v = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    let text = self.print(&v);
                    self.emit(&text)?;
                }
            }
            Node::If(b) => return self.walk_if_or_with(dot, b, false),
            Node::With(b) => return self.walk_if_or_with(dot, b, true),
            Node::Range(b) => return self.walk_range(dot, b),
            Node::Break => return Ok(Flow::Break),
            Node::Continue => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    fn walk_if_or_with(&mut self, dot: &Value, b: &Branch, is_with: bool) -> Result<Flow> {
        let mark = self.vars.len();
        let val = self.eval_pipeline(dot, &b.pipe)?;
        let Some(truth) = is_true(&val) else {
            self.at(b.pipe.pos, &b.pipe);
            return self.errorf(format!("if/with can't use {}", self.print(&val)));
        };
        let flow = if truth {
            let new_dot = if is_with { val } else { dot.clone() };
            self.walk_list(&new_dot, &b.list)?
        } else if let Some(else_list) = &b.else_list {
            self.walk_list(dot, else_list)?
        } else {
            Flow::Normal
        };
        self.vars.truncate(mark);
        Ok(flow)
    }

    fn walk_range(&mut self, dot: &Value, b: &Branch) -> Result<Flow> {
        let mark = self.vars.len();
        // Go evaluates the range pipeline without its declarations, then binds them per element.
        let plain = Pipe {
            decl: Vec::new(),
            ..b.pipe.clone()
        };
        let val = self.eval_pipeline(dot, &plain)?;
        let n = match val {
            Value::Int(n) => n,
            other => {
                self.at(b.pipe.pos, &b.pipe);
                return self.errorf(format!("range can't iterate over {}", self.print(&other)));
            }
        };
        if n <= 0 {
            if let Some(else_list) = &b.else_list {
                self.walk_list(dot, else_list)?;
            }
        }
        for i in 0..n.max(0) {
            self.steps += 1;
            if self.steps > MAX_STEPS {
                return Err(ExecError(format!(
                    "template: : more than {MAX_STEPS} loop iterations; kuma-mzs stopped evaluating"
                )));
            }
            let elem = Value::Int(i);
            self.vars.truncate(mark);
            match b.pipe.decl.as_slice() {
                [] => {}
                [one] => self.vars.push((one.clone(), elem.clone())),
                [key, value, ..] => {
                    self.vars.push((key.clone(), Value::Int(i)));
                    self.vars.push((value.clone(), elem.clone()));
                }
            }
            match self.walk_list(&elem, &b.list)? {
                Flow::Break => break,
                Flow::Continue | Flow::Normal => {}
            }
        }
        self.vars.truncate(mark);
        Ok(Flow::Normal)
    }

    fn eval_pipeline(&mut self, dot: &Value, pipe: &Pipe) -> Result<Value> {
        self.at(pipe.pos, pipe);
        let mut value: Option<Value> = None;
        for cmd in &pipe.cmds {
            value = Some(self.eval_command(dot, cmd, value)?);
        }
        let value = value.unwrap_or(Value::Missing);
        for name in &pipe.decl {
            if pipe.is_assign {
                if let Some(slot) = self.vars.iter_mut().rev().find(|(n, _)| n == name) {
                    slot.1 = value.clone();
                }
            } else {
                self.vars.push((name.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn eval_command(&mut self, dot: &Value, cmd: &Command, fin: Option<Value>) -> Result<Value> {
        let Some(first) = cmd.args.first() else {
            return Ok(Value::Missing);
        };
        match first {
            Arg::Field { pos, ident } => {
                self.at(*pos, first);
                self.eval_field_chain(dot.clone(), ident, *pos, first, &cmd.args, fin)
            }
            Arg::Chain { pos, node, field } => {
                self.at(*pos, first);
                if matches!(node.as_ref(), Arg::Nil { .. }) {
                    return self.errorf(format!("indirection through explicit nil in {first}"));
                }
                let receiver = self.eval_arg_any(dot, node)?;
                self.eval_field_chain(receiver, field, *pos, first, &cmd.args, fin)
            }
            Arg::Identifier { pos, name } => {
                self.at(*pos, first);
                self.eval_function(dot, name, cmd, fin)
            }
            Arg::Variable { pos, ident } => {
                self.at(*pos, first);
                let value = self.variable(&ident[0])?;
                if ident.len() == 1 {
                    self.not_a_function(&cmd.args, &fin)?;
                    return Ok(value);
                }
                self.eval_field_chain(value, &ident[1..], *pos, first, &cmd.args, fin)
            }
            Arg::Pipe(p) => {
                self.at(p.pos, p);
                self.not_a_function(&cmd.args, &fin)?;
                let mark = self.vars.len();
                let v = self.eval_pipeline(dot, p)?;
                self.vars.truncate(mark);
                Ok(v)
            }
            other => {
                self.at(other.pos(), other);
                self.not_a_function(&cmd.args, &fin)?;
                match other {
                    Arg::Bool { value, .. } => Ok(Value::Bool(*value)),
                    Arg::Dot { .. } => Ok(dot.clone()),
                    Arg::Nil { .. } => self.errorf("nil is not a command"),
                    Arg::Number { value, .. } => Ok(number(*value)),
                    Arg::String { text, .. } => Ok(Value::Str(text.clone())),
                    _ => self.errorf(format!(
                        "can't evaluate command {}",
                        go_quote(&other.to_string())
                    )),
                }
            }
        }
    }

    fn not_a_function(&self, args: &[Arg], fin: &Option<Value>) -> Result<()> {
        if args.len() > 1 || fin.is_some() {
            return self.errorf(format!(
                "can't give argument to non-function {}",
                args.first().map(ToString::to_string).unwrap_or_default()
            ));
        }
        Ok(())
    }

    fn variable(&self, name: &str) -> Result<Value> {
        match self.vars.iter().rev().find(|(n, _)| n == name) {
            Some((_, v)) => Ok(v.clone()),
            None => self.errorf(format!("undefined variable: {name}")),
        }
    }

    fn eval_field_chain(
        &mut self,
        mut receiver: Value,
        ident: &[String],
        pos: usize,
        node: &Arg,
        args: &[Arg],
        fin: Option<Value>,
    ) -> Result<Value> {
        self.at(pos, node);
        let n = ident.len();
        for (i, name) in ident.iter().enumerate() {
            let has_args = i + 1 == n && (args.len() > 1 || fin.is_some());
            receiver = self.eval_field(&receiver, name, has_args)?;
        }
        Ok(receiver)
    }

    fn eval_field(&self, receiver: &Value, name: &str, has_args: bool) -> Result<Value> {
        if let Value::Data = receiver {
            if let Some((_, v)) = self.data.fields.iter().find(|(f, _)| *f == name) {
                if has_args {
                    return self.errorf(format!(
                        "{name} has arguments but cannot be invoked as function"
                    ));
                }
                return Ok(Value::Str((*v).to_owned()));
            }
        }
        if let Value::Missing = receiver {
            // Go's zero value for a field of nothing: no error, no value.
            return Ok(Value::Missing);
        }
        self.errorf(format!(
            "can't evaluate field {name} in type {}",
            self.type_name(receiver)
        ))
    }

    /// Evaluate an argument whose type is unconstrained (Go's `evalEmptyInterface`).
    fn eval_arg_any(&mut self, dot: &Value, arg: &Arg) -> Result<Value> {
        self.at(arg.pos(), arg);
        match arg {
            Arg::Dot { .. } => Ok(dot.clone()),
            Arg::Nil { .. } => Ok(Value::Missing),
            Arg::Bool { value, .. } => Ok(Value::Bool(*value)),
            Arg::Number { value, .. } => Ok(number(*value)),
            Arg::String { text, .. } => Ok(Value::Str(text.clone())),
            Arg::Field { pos, ident } => self.eval_field_chain(
                dot.clone(),
                ident,
                *pos,
                arg,
                std::slice::from_ref(arg),
                None,
            ),
            Arg::Variable { pos, ident } => {
                let v = self.variable(&ident[0])?;
                self.eval_field_chain(v, &ident[1..], *pos, arg, std::slice::from_ref(arg), None)
            }
            Arg::Chain { pos, node, field } => {
                let receiver = self.eval_arg_any(dot, node)?;
                self.eval_field_chain(receiver, field, *pos, arg, std::slice::from_ref(arg), None)
            }
            Arg::Identifier { name, .. } => {
                let cmd = Command {
                    pos: arg.pos(),
                    args: vec![arg.clone()],
                };
                self.eval_function(dot, name, &cmd, None)
            }
            Arg::Pipe(p) => {
                let mark = self.vars.len();
                let v = self.eval_pipeline(dot, p)?;
                self.vars.truncate(mark);
                Ok(v)
            }
        }
    }

    /// Evaluate an argument for a `string` parameter (`label`, `printf`'s format).
    fn eval_arg_string(&mut self, dot: &Value, arg: &Arg) -> Result<String> {
        self.at(arg.pos(), arg);
        match arg {
            Arg::String { text, .. } => Ok(text.clone()),
            Arg::Nil { .. } => self.errorf("cannot assign nil to string"),
            Arg::Bool { .. } | Arg::Number { .. } => {
                self.errorf(format!("expected string; found {arg}"))
            }
            _ => {
                let v = self.eval_arg_any(dot, arg)?;
                self.expect_string(v)
            }
        }
    }

    fn expect_string(&self, v: Value) -> Result<String> {
        match v {
            Value::Str(s) => Ok(s),
            Value::Missing => self.errorf("invalid value; expected string"),
            other => self.errorf(format!(
                "wrong type for value; expected string; got {}",
                self.type_name(&other)
            )),
        }
    }

    fn eval_function(
        &mut self,
        dot: &Value,
        name: &str,
        cmd: &Command,
        fin: Option<Value>,
    ) -> Result<Value> {
        let arg_nodes = cmd.args.get(1..).unwrap_or(&[]);
        let count = arg_nodes.len() + usize::from(fin.is_some());
        let (min, max) = arity(name);
        if count < min || max.is_some_and(|m| count != m) {
            let want = match max {
                Some(m) => m.to_string(),
                None => format!("at least {min}"),
            };
            return self.errorf(format!(
                "wrong number of args for {name}: want {want} got {count}"
            ));
        }
        // `and` and `or` evaluate lazily and return the deciding argument.
        if name == "and" || name == "or" {
            let mut last = Value::Missing;
            let values = arg_nodes.iter().map(Some).chain(fin.iter().map(|_| None));
            for node in values {
                last = match node {
                    Some(n) => self.eval_arg_any(dot, n)?,
                    None => fin.clone().unwrap_or(Value::Missing),
                };
                let truth = is_true(&last).unwrap_or(false);
                if (name == "and" && !truth) || (name == "or" && truth) {
                    return Ok(last);
                }
            }
            return Ok(last);
        }
        let mut args = Vec::with_capacity(count);
        if name == "label" || name == "printf" {
            if let Some(first) = arg_nodes.first() {
                args.push(Value::Str(self.eval_arg_string(dot, first)?));
            } else if let Some(f) = fin.clone() {
                self.at(cmd.pos, cmd);
                args.push(Value::Str(self.expect_string(f)?));
            }
            for n in arg_nodes.iter().skip(1) {
                args.push(self.eval_arg_any(dot, n)?);
            }
            if !arg_nodes.is_empty() {
                if let Some(f) = fin {
                    args.push(f);
                }
            }
        } else {
            for n in arg_nodes {
                args.push(self.eval_arg_any(dot, n)?);
            }
            if let Some(f) = fin {
                args.push(f);
            }
        }
        self.at(cmd.pos, cmd);
        let result = self.call(name, &args);
        match result {
            Ok(v) => Ok(v),
            Err(e) => self.errorf(format!("error calling {name}: {e}")),
        }
    }

    fn call(&self, name: &str, args: &[Value]) -> std::result::Result<Value, String> {
        let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Missing);
        match name {
            "label" => match arg(0) {
                Value::Str(key) => (self.data.label)(&key).map(Value::Str),
                _ => Err("label expects a string".to_owned()),
            },
            "not" => Ok(Value::Bool(!is_true(&arg(0)).unwrap_or(false))),
            "len" => match arg(0) {
                Value::Str(s) => Ok(Value::Int(i64::try_from(s.len()).unwrap_or(i64::MAX))),
                other => Err(format!("len of type {}", self.type_name(&other))),
            },
            "print" => Ok(Value::Str(self.sprint(args, false))),
            "println" => Ok(Value::Str(self.sprint(args, true))),
            "printf" => match arg(0) {
                Value::Str(format) => Ok(Value::Str(self.sprintf(&format, &args[1..]))),
                _ => Err("printf expects a format string".to_owned()),
            },
            "eq" => {
                let first = arg(0);
                for other in args.iter().skip(1) {
                    if compare(&first, other)? == Some(std::cmp::Ordering::Equal) {
                        return Ok(Value::Bool(true));
                    }
                }
                Ok(Value::Bool(false))
            }
            "ne" => Ok(Value::Bool(
                compare(&arg(0), &arg(1))? != Some(std::cmp::Ordering::Equal),
            )),
            "lt" | "le" | "gt" | "ge" => {
                let (a, b) = (arg(0), arg(1));
                if matches!(a, Value::Bool(_) | Value::Data) || matches!(b, Value::Bool(_) | Value::Data) {
                    return Err("invalid type for comparison".to_owned());
                }
                let ord = compare(&a, &b)?.ok_or("incompatible types for comparison")?;
                Ok(Value::Bool(match name {
                    "lt" => ord.is_lt(),
                    "le" => ord.is_le(),
                    "gt" => ord.is_gt(),
                    _ => ord.is_ge(),
                }))
            }
            other => Err(format!(
                "the builtin {other} is not supported by kuma-mzs (Kuma hostname templates do not need it)"
            )),
        }
    }

    fn sprint(&self, args: &[Value], ln: bool) -> String {
        let mut out = String::new();
        for (i, a) in args.iter().enumerate() {
            let is_str = matches!(a, Value::Str(_));
            let prev_str = i > 0 && matches!(args[i - 1], Value::Str(_));
            if i > 0 && (ln || (!is_str && !prev_str)) {
                out.push(' ');
            }
            out.push_str(&self.print_fmt(a));
        }
        if ln {
            out.push('\n');
        }
        out
    }

    /// `fmt`'s `%v` (a missing value prints as `<nil>` inside fmt).
    fn print_fmt(&self, v: &Value) -> String {
        match v {
            Value::Missing => "<nil>".to_owned(),
            other => self.print(other),
        }
    }

    /// The common verbs of Go's `fmt.Sprintf`.
    fn sprintf(&self, format: &str, args: &[Value]) -> String {
        let mut out = String::new();
        let mut next = 0;
        let mut chars = format.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            let Some(verb) = chars.next() else {
                out.push_str("%!(NOVERB)");
                break;
            };
            if verb == '%' {
                out.push('%');
                continue;
            }
            let Some(arg) = args.get(next) else {
                let _ = write!(out, "%!{verb}(MISSING)");
                continue;
            };
            next += 1;
            match (verb, arg) {
                ('v' | 's', a) if !matches!((verb, a), ('s', Value::Int(_) | Value::Bool(_))) => {
                    out.push_str(&self.print_fmt(a))
                }
                ('d', Value::Int(i)) => {
                    let _ = write!(out, "{i}");
                }
                ('t', Value::Bool(b)) => {
                    let _ = write!(out, "{b}");
                }
                ('q', Value::Str(s)) => out.push_str(&go_quote(s)),
                ('x', Value::Str(s)) => {
                    for b in s.bytes() {
                        let _ = write!(out, "{b:02x}");
                    }
                }
                ('x', Value::Int(i)) => {
                    let _ = write!(out, "{i:x}");
                }
                (verb, a) => {
                    let _ = write!(out, "%!{verb}({}={})", self.type_name(a), self.print_fmt(a));
                }
            }
        }
        if next < args.len() {
            out.push_str("%!(EXTRA ");
            let extra: Vec<String> = args[next..]
                .iter()
                .map(|a| format!("{}={}", self.type_name(a), self.print_fmt(a)))
                .collect();
            out.push_str(&extra.join(", "));
            out.push(')');
        }
        out
    }
}

fn arity(name: &str) -> (usize, Option<usize>) {
    match name {
        "label" | "not" | "len" | "html" | "js" | "urlquery" => (1, Some(1)),
        "ne" | "lt" | "le" | "gt" | "ge" => (2, Some(2)),
        "and" | "or" | "eq" | "printf" | "index" | "slice" | "call" => (1, None),
        _ => (0, None),
    }
}

fn number(n: Number) -> Value {
    match n {
        Number::Int(i) => Value::Int(i),
        Number::Float(bits) => Value::Float(f64::from_bits(bits)),
    }
}

/// Go's `isTrue`; `None` when the value has no truth (Go: `if/with can't use`).
fn is_true(v: &Value) -> Option<bool> {
    match v {
        Value::Missing => None,
        Value::Str(s) => Some(!s.is_empty()),
        Value::Int(i) => Some(*i != 0),
        Value::Float(f) => Some(*f != 0.0),
        Value::Bool(b) => Some(*b),
        Value::Data => Some(true),
    }
}

fn compare(a: &Value, b: &Value) -> std::result::Result<Option<std::cmp::Ordering>, String> {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => Ok(Some(x.cmp(y))),
        (Value::Int(x), Value::Int(y)) => Ok(Some(x.cmp(y))),
        (Value::Float(x), Value::Float(y)) => Ok(x.partial_cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Ok(Some(x.cmp(y))),
        (Value::Missing, _) | (_, Value::Missing) => Err("invalid type for comparison".to_owned()),
        (Value::Data, _) | (_, Value::Data) => Err("non-comparable type".to_owned()),
        _ => Err("incompatible types for comparison".to_owned()),
    }
}

/// Go's `%v` of a float64 (shortest representation, exponent for very large or small values).
fn format_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-4..1e21).contains(&abs) {
        let s = crate::float_text::lower_exp(f);
        // Rust: 1e21, 1.5e-5; Go: 1e+21, 1.5e-05.
        if let Some((m, e)) = s.split_once('e') {
            let (sign, digits) = match e.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', e),
            };
            return format!("{m}e{sign}{digits:0>2}");
        }
        return s;
    }
    crate::float_text::display(f)
}
