//! Evaluation of a parsed template, with Go's execution error texts
//! (`template: :1:3: executing "" at <.Foo>: can't evaluate field Foo in type ...`).

use std::fmt::Write as _;

use super::lex::go_quote;
use super::parse::{Arg, Branch, Command, Node, Number, Pipe, Trees};

/// Largest output we produce; templates render hostnames, so this only stops runaway `range`s.
const MAX_OUTPUT: usize = 1 << 20;
/// Most bytes all function calls of one evaluation may produce (bounds memory and time).
const MAX_PRODUCED: usize = 16 << 20;
/// Most loop iterations and template calls in one evaluation.
const MAX_STEPS: usize = 100_000;
/// Most nodes, commands and arguments evaluated in one evaluation: a bound on work however the
/// template is shaped.
const MAX_WALKED: usize = 3_000_000;
/// Go's limit of nested template calls, which its error message names.
const GO_MAX_TEMPLATE_DEPTH: usize = 100_000;
/// Our limit, counting `if`/`with`/`range` blocks as well as template calls: evaluation
/// recurses on the stack (about 3 KB a level in debug builds, 0.5 KB optimised), so we stop far
/// below Go (which itself uses 1000 on wasm) but report Go's message. 100,000 - 400 is
/// divisible by every cycle length up to 6, so a runaway recursion through plain
/// `{{template}}` calls names the same template Go would.
const MAX_NESTING: usize = 400;

/// A value during evaluation (Go's `reflect.Value`, narrowed to what the data can hold).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// No value (Go's invalid `reflect.Value`), printed as `<no value>`.
    Missing,
    /// Shared, so copying values into variables and dots costs no memory.
    Str(std::rc::Rc<str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A byte of a string, from `index` (Go's `uint8`).
    Byte(u8),
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

pub(crate) fn execute(source: &str, trees: &Trees, data: &Data<'_>) -> Result<String> {
    let mut s = State {
        source,
        data,
        trees,
        name: "",
        out: String::new(),
        vars: vec![("$".to_owned(), Value::Data)],
        at: None,
        steps: 0,
        walked: 0,
        produced: 0,
        nesting: 0,
    };
    let root = trees.iter().find(|(name, _)| name.is_empty());
    s.walk_list(&Value::Data, root.map_or(&[][..], |(_, list)| list))?;
    Ok(s.out)
}

struct State<'a> {
    source: &'a str,
    data: &'a Data<'a>,
    trees: &'a Trees,
    /// The template being executed (`""` for the root), for `executing "name"`.
    name: &'a str,
    out: String,
    vars: Vec<(String, Value)>,
    /// The node being evaluated: its position and text, for error context.
    at: Option<(usize, String)>,
    steps: usize,
    walked: usize,
    produced: usize,
    /// Template calls and control blocks we are inside of.
    nesting: usize,
}

impl State<'_> {
    fn at(&mut self, pos: usize, context: impl std::fmt::Display) {
        self.at = Some((pos, context.to_string()));
    }

    fn errorf<T>(&self, message: impl std::fmt::Display) -> Result<T> {
        match &self.at {
            None => Err(ExecError(format!("template: {}: {message}", self.name))),
            Some((pos, context)) => {
                let before = self.source.get(..*pos).unwrap_or(self.source);
                let line = 1 + before.matches('\n').count();
                let col = match before.rfind('\n') {
                    Some(nl) => pos - (nl + 1),
                    None => *pos,
                };
                Err(ExecError(format!(
                    "template: :{line}:{col}: executing {} at <{context}>: {message}",
                    go_quote(self.name)
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
            Value::Byte(_) => "uint8".to_owned(),
            Value::Data => self.data.type_name.to_owned(),
        }
    }

    fn print(&self, v: &Value) -> String {
        match v {
            Value::Missing => "<no value>".to_owned(),
            Value::Str(s) => s.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => format_float(*f),
            Value::Bool(b) => b.to_string(),
            Value::Byte(b) => b.to_string(),
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
        self.tick()?;
        match node {
            Node::Text(t) => self.emit(t)?,
            Node::Action(pipe) => {
                let v = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    let text = self.print(&v);
                    self.emit(&text)?;
                }
            }
            Node::If(b) | Node::With(b) | Node::Range(b) => {
                self.nesting += 1;
                let flow = match node {
                    Node::Range(_) => self.walk_range(dot, b)?,
                    _ => self.walk_if_or_with(dot, b, matches!(node, Node::With(_)))?,
                };
                self.nesting -= 1;
                return Ok(flow);
            }
            Node::Break => return Ok(Flow::Break),
            Node::Continue => return Ok(Flow::Continue),
            Node::Template { pos, name, pipe } => self.walk_template(dot, *pos, name, pipe)?,
        }
        Ok(Flow::Normal)
    }

    /// `{{template "name" pipe}}`: run `name` with dot set to the pipeline's value and only `$`.
    fn walk_template(
        &mut self,
        dot: &Value,
        pos: usize,
        name: &str,
        pipe: &Option<Pipe>,
    ) -> Result<()> {
        let context = match pipe {
            Some(p) => format!("{{{{template {} {p}}}}}", go_quote(name)),
            None => format!("{{{{template {}}}}}", go_quote(name)),
        };
        self.at(pos, context);
        let trees = self.trees;
        let Some((name, body)) = trees.iter().find(|(n, _)| n == name) else {
            return self.errorf(format!("template {} not defined", go_quote(name)));
        };
        if self.nesting >= MAX_NESTING {
            return self.errorf(format!(
                "exceeded maximum template depth ({GO_MAX_TEMPLATE_DEPTH})"
            ));
        }
        self.step()?;
        // Variables the pipeline declares persist in the caller.
        let dot = match pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => Value::Missing,
        };
        let vars = std::mem::replace(&mut self.vars, vec![("$".to_owned(), dot.clone())]);
        let caller = std::mem::replace(&mut self.name, name);
        self.nesting += 1;
        self.walk_list(&dot, body)?;
        self.nesting -= 1;
        self.name = caller;
        self.vars = vars;
        Ok(())
    }

    /// Count one node, command or argument evaluated.
    fn tick(&mut self) -> Result<()> {
        self.walked += 1;
        if self.walked > MAX_WALKED {
            return Err(ExecError(format!(
                "template: : more than {MAX_WALKED} evaluation steps; kuma-mzs stopped evaluating"
            )));
        }
        Ok(())
    }

    fn step(&mut self) -> Result<()> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return Err(ExecError(format!(
                "template: : more than {MAX_STEPS} loop iterations and template calls; kuma-mzs stopped evaluating"
            )));
        }
        Ok(())
    }

    fn walk_if_or_with(&mut self, dot: &Value, b: &Branch, is_with: bool) -> Result<Flow> {
        let mark = self.vars.len();
        let val = self.eval_pipeline(dot, &b.pipe)?;
        let Some(truth) = is_true(&val) else {
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
        // Go ranges over any integer type, yielding elements of that type.
        let (n, is_byte) = match &val {
            Value::Int(n) => (*n, false),
            Value::Byte(n) => (i64::from(*n), true),
            // Go: "an invalid value is likely a nil map, etc. Not an error."
            Value::Missing => (0, false),
            // Go reports these at the last node the pipeline evaluated.
            other => {
                return self.errorf(format!("range can't iterate over {}", self.print(other)));
            }
        };
        if b.pipe.decl.len() > 1 {
            return self.errorf(format!(
                "can't use {} to iterate over more than one variable",
                self.print(&val)
            ));
        }
        if n <= 0 {
            if let Some(else_list) = &b.else_list {
                self.walk_list(dot, else_list)?;
            }
        }
        for i in 0..n.max(0) {
            self.step()?;
            let elem = match u8::try_from(i) {
                Ok(byte) if is_byte => Value::Byte(byte),
                _ => Value::Int(i),
            };
            self.vars.truncate(mark);
            if let Some(var) = b.pipe.decl.first() {
                self.vars.push((var.clone(), elem.clone()));
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
        self.tick()?;
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
                    Arg::String { text, .. } => Ok(Value::Str(text.as_str().into())),
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
                return Ok(Value::Str((*v).into()));
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
        self.tick()?;
        self.at(arg.pos(), arg);
        match arg {
            Arg::Dot { .. } => Ok(dot.clone()),
            Arg::Nil { .. } => Ok(Value::Missing),
            Arg::Bool { value, .. } => Ok(Value::Bool(*value)),
            Arg::Number { value, .. } => Ok(number(*value)),
            Arg::String { text, .. } => Ok(Value::Str(text.as_str().into())),
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
            Value::Str(s) => Ok(s.to_string()),
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
                args.push(Value::Str(self.eval_arg_string(dot, first)?.into()));
            } else if let Some(f) = fin.clone() {
                self.at(cmd.pos, cmd);
                args.push(Value::Str(self.expect_string(f)?.into()));
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
        if name == "call" {
            // No value a template can reach is a function (`call label` calls `label` with no
            // arguments first). Go names the callee by its first argument's text, or by the
            // piped value's `reflect.Value.String()`.
            let callee = match (arg_nodes.first(), args.first()) {
                (Some(node), _) => node.to_string(),
                (None, Some(Value::Str(s))) => s.to_string(),
                (None, Some(v)) => format!("<{} Value>", self.type_name(v)),
                (None, None) => String::new(),
            };
            let message = match args.first() {
                None | Some(Value::Missing) => "call of nil".to_owned(),
                Some(v) => format!("non-function {callee} of type {}", self.type_name(v)),
            };
            return self.errorf(format!("error calling call: {message}"));
        }
        match self.call(name, &args) {
            // Values can grow with every call (`js` of `js` of ...), until Go runs out of memory.
            Ok(Value::Str(s))
                if s.len() > MAX_OUTPUT || {
                    self.produced += s.len();
                    self.produced > MAX_PRODUCED
                } =>
            {
                Err(ExecError(format!(
                    "template: : functions produced more than {MAX_OUTPUT} bytes in one value or {MAX_PRODUCED} in all; kuma-mzs stopped evaluating"
                )))
            }
            // Go's last evaluated node is the last argument, or the function's name.
            Ok(v) => {
                let last = arg_nodes.last().or(cmd.args.first());
                if let Some(last) = last {
                    self.at(last.pos(), last);
                }
                Ok(v)
            }
            Err(e) => self.errorf(format!("error calling {name}: {e}")),
        }
    }

    fn call(&self, name: &str, args: &[Value]) -> std::result::Result<Value, String> {
        let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Missing);
        match name {
            "label" => match arg(0) {
                Value::Str(key) => (self.data.label)(&key).map(|v| Value::Str(v.into())),
                _ => Err("label expects a string".to_owned()),
            },
            "not" => Ok(Value::Bool(!is_true(&arg(0)).unwrap_or(false))),
            "len" => match arg(0) {
                Value::Str(s) => Ok(Value::Int(i64::try_from(s.len()).unwrap_or(i64::MAX))),
                // Go's reflect panics, and text/template reports the panic.
                Value::Missing => {
                    Err("reflect: call of reflect.Value.Type on zero Value".to_owned())
                }
                other => Err(format!("len of type {}", self.type_name(&other))),
            },
            "print" => Ok(Value::Str(self.sprint(args, false).into())),
            "println" => Ok(Value::Str(self.sprint(args, true).into())),
            "printf" => match arg(0) {
                Value::Str(format) => Ok(Value::Str(self.sprintf(&format, &args[1..]).into())),
                _ => Err("printf expects a format string".to_owned()),
            },
            "eq" => {
                if args.len() < 2 {
                    return Err("missing argument for comparison".to_owned());
                }
                let first = arg(0);
                for other in args.iter().skip(1) {
                    if equal(&first, other)? {
                        return Ok(Value::Bool(true));
                    }
                }
                Ok(Value::Bool(false))
            }
            "ne" => Ok(Value::Bool(!equal(&arg(0), &arg(1))?)),
            "lt" | "le" | "gt" | "ge" => {
                let (a, b) = (arg(0), arg(1));
                // Go: no basic kind is an invalid type; two bools are not ordered.
                let basic = |v: &Value| !matches!(v, Value::Data | Value::Missing);
                if !basic(&a) || !basic(&b) || matches!((&a, &b), (Value::Bool(_), Value::Bool(_)))
                {
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
            "index" => self.index(args),
            "slice" => self.slice(args),
            "html" => Ok(Value::Str(html_escape(&self.eval_args(args)).into())),
            "js" => Ok(Value::Str(js_escape(&self.eval_args(args)).into())),
            "urlquery" => Ok(Value::Str(url_query_escape(&self.eval_args(args)).into())),
            other => Err(format!("function {other} not defined")),
        }
    }

    /// Go's `index`: only strings are indexable here, giving their bytes.
    fn index(&self, args: &[Value]) -> std::result::Result<Value, String> {
        let mut item = args.first().cloned().unwrap_or(Value::Missing);
        if let Value::Missing = item {
            return Err("index of untyped nil".to_owned());
        }
        for index in args.iter().skip(1) {
            let Value::Str(s) = &item else {
                return Err(format!(
                    "can't index item of type {}",
                    self.type_name(&item)
                ));
            };
            let x = self.index_arg(index, s.len())?;
            // Go's reflect panics on s[len(s)], and text/template reports the panic.
            let byte = s
                .as_bytes()
                .get(x)
                .ok_or("reflect: string index out of range")?;
            item = Value::Byte(*byte);
        }
        Ok(item)
    }

    /// Go's `indexArg`: an integer in `0..=cap`.
    fn index_arg(&self, index: &Value, cap: usize) -> std::result::Result<usize, String> {
        let x = match index {
            Value::Int(i) => *i,
            Value::Byte(b) => i64::from(*b),
            Value::Missing => return Err("cannot index slice/array with nil".to_owned()),
            other => {
                return Err(format!(
                    "cannot index slice/array with type {}",
                    self.type_name(other)
                ))
            }
        };
        match usize::try_from(x) {
            Ok(x) if x <= cap => Ok(x),
            _ => Err(format!("index out of range: {x}")),
        }
    }

    /// Go's `slice` on a string: `slice s`, `slice s i`, `slice s i j`, byte offsets.
    fn slice(&self, args: &[Value]) -> std::result::Result<Value, String> {
        let item = args.first().cloned().unwrap_or(Value::Missing);
        let indexes = args.get(1..).unwrap_or(&[]);
        if let Value::Missing = item {
            return Err("slice of untyped nil".to_owned());
        }
        if indexes.len() > 3 {
            return Err(format!("too many slice indexes: {}", indexes.len()));
        }
        let Value::Str(s) = &item else {
            return Err(format!(
                "can't slice item of type {}",
                self.type_name(&item)
            ));
        };
        if indexes.len() == 3 {
            return Err("cannot 3-index slice a string".to_owned());
        }
        let mut idx = [0, s.len()];
        for (slot, index) in idx.iter_mut().zip(indexes) {
            *slot = self.index_arg(index, s.len())?;
        }
        let [from, to] = idx;
        if from > to {
            return Err(format!("invalid slice index: {from} > {to}"));
        }
        // Go slices bytes; a cut inside a UTF-8 sequence leaves bytes Rust strings cannot hold,
        // so those become U+FFFD (a hostname with them is invalid either way).
        let bytes = s.as_bytes().get(from..to).unwrap_or_default();
        Ok(Value::Str(String::from_utf8_lossy(bytes).into()))
    }

    /// Go's `evalArgs` for `html`, `js`, `urlquery`: one string as is, else `fmt.Sprint` with
    /// a missing value printed as `<no value>`.
    fn eval_args(&self, args: &[Value]) -> String {
        if let [Value::Str(s)] = args {
            return s.to_string();
        }
        let printable: Vec<Value> = args
            .iter()
            .map(|a| match a {
                Value::Missing => Value::Str("<no value>".into()),
                other => other.clone(),
            })
            .collect();
        self.sprint(&printable, false)
    }

    fn sprint(&self, args: &[Value], ln: bool) -> String {
        let mut out = String::new();
        for (i, a) in args.iter().enumerate() {
            if out.len() > MAX_OUTPUT {
                break; // the caller reports the oversized value
            }
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

    /// Go's `fmt.Sprintf`: flags `+-# 0`, widths and precisions (also `*` and `[n]`), and the
    /// verbs that apply to strings, integers, bytes, bools and floats. Not done: `%g` with a
    /// precision (prints as `%v`) and `%x` of floats.
    fn sprintf(&self, format: &str, args: &[Value]) -> String {
        let mut out = String::new();
        let mut arg_num = 0;
        let mut reordered = false;
        let mut rest = format;
        while let Some(percent) = rest.find('%') {
            out.push_str(&rest[..percent]);
            rest = &rest[percent + 1..];
            if out.len() > MAX_OUTPUT {
                return out; // the caller reports the oversized value
            }
            let mut spec = Spec::default();
            while let Some(c) = rest.chars().next() {
                match c {
                    '#' => spec.sharp = true,
                    '0' => spec.zero = !spec.minus,
                    '+' => spec.plus = true,
                    '-' => (spec.minus, spec.zero) = (true, false),
                    ' ' => spec.space = true,
                    _ => break,
                }
                rest = &rest[1..];
            }
            let mut good_index = true;
            let mut index = |rest: &mut &str, arg_num: &mut usize| {
                if let Some(after) = rest.strip_prefix('[') {
                    reordered = true;
                    let close = after.find(']');
                    let n = close.and_then(|c| after[..c].parse::<usize>().ok());
                    match (close, n) {
                        (Some(c), Some(n)) if n >= 1 && n <= args.len() => {
                            *arg_num = n - 1;
                            *rest = &after[c + 1..];
                        }
                        (Some(c), _) => {
                            good_index = false;
                            *rest = &after[c + 1..];
                        }
                        (None, _) => good_index = false,
                    }
                }
            };
            index(&mut rest, &mut arg_num);
            if let Some(after) = rest.strip_prefix('*') {
                rest = after;
                match args.get(arg_num).and_then(as_int) {
                    Some(w) if w.unsigned_abs() <= 1_000_000 => {
                        if w < 0 {
                            (spec.minus, spec.zero) = (true, false);
                        }
                        spec.width = usize::try_from(w.unsigned_abs()).ok();
                    }
                    _ => out.push_str("%!(BADWIDTH)"),
                }
                arg_num += 1;
            } else {
                spec.width = take_number(&mut rest);
            }
            if rest.len() > 1 && rest.starts_with('.') {
                rest = &rest[1..];
                index(&mut rest, &mut arg_num);
                if let Some(after) = rest.strip_prefix('*') {
                    rest = after;
                    match args.get(arg_num).and_then(as_int) {
                        Some(p) if (0..=1_000_000).contains(&p) => {
                            spec.prec = usize::try_from(p).ok();
                        }
                        _ => out.push_str("%!(BADPREC)"),
                    }
                    arg_num += 1;
                } else {
                    spec.prec = Some(take_number(&mut rest).unwrap_or(0));
                }
            }
            index(&mut rest, &mut arg_num);
            let Some(verb) = rest.chars().next() else {
                out.push_str("%!(NOVERB)");
                break;
            };
            rest = &rest[verb.len_utf8()..];
            match (verb, args.get(arg_num)) {
                ('%', _) => out.push('%'),
                (_, _) if !good_index => {
                    let _ = write!(out, "%!{verb}(BADINDEX)");
                }
                (_, None) => {
                    let _ = write!(out, "%!{verb}(MISSING)");
                }
                (_, Some(arg)) => {
                    if verb == 'v' {
                        (spec.sharp_v, spec.sharp) = (spec.sharp, false);
                        (spec.plus_v, spec.plus) = (spec.plus, false);
                    }
                    self.fmt_arg(&mut out, verb, spec, arg);
                    arg_num += 1;
                }
            }
        }
        out.push_str(rest);
        if !reordered && arg_num < args.len() {
            out.push_str("%!(EXTRA ");
            for (i, a) in args[arg_num..].iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                match a {
                    Value::Missing => out.push_str("<nil>"),
                    a => {
                        let _ = write!(out, "{}=", self.type_name(a));
                        self.fmt_arg(&mut out, 'v', Spec::default(), a);
                    }
                }
            }
            out.push(')');
        }
        out
    }

    /// Go's `printArg`: one value under one verb.
    fn fmt_arg(&self, out: &mut String, verb: char, spec: Spec, arg: &Value) {
        if verb == 'T' {
            let name = match arg {
                Value::Missing => "<nil>".to_owned(),
                a => self.type_name(a),
            };
            return spec.pad(out, &name);
        }
        match (verb, arg) {
            ('v', Value::Missing) => spec.pad(out, "<nil>"),
            (_, Value::Missing) => {
                let _ = write!(out, "%!{verb}(<nil>)");
            }
            ('v', Value::Data) if spec.sharp_v => {
                let _ = write!(out, "{}{{", self.type_name(arg));
                for (i, (name, value)) in self.data.fields.iter().enumerate() {
                    let _ = write!(
                        out,
                        "{}{name}:{}",
                        if i > 0 { ", " } else { "" },
                        go_quote(value)
                    );
                }
                out.push('}');
            }
            (_, Value::Data) => {
                out.push('{');
                for (i, (name, value)) in self.data.fields.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    if spec.plus_v {
                        let _ = write!(out, "{name}:");
                    }
                    self.fmt_arg(out, verb, spec, &Value::Str((*value).into()));
                }
                out.push('}');
            }
            ('v' | 't', Value::Bool(b)) => spec.pad(out, if *b { "true" } else { "false" }),
            ('v', Value::Str(s)) if spec.sharp_v => spec.pad(out, &go_quote(s)),
            ('v' | 's', Value::Str(s)) => spec.pad(out, spec.truncate(s)),
            ('q', Value::Str(s)) => {
                let s = spec.truncate(s);
                let backquote = spec.sharp
                    && !s.chars().any(|c| {
                        (c < ' ' && c != '\t') || matches!(c, '`' | '\u{7f}' | '\u{feff}')
                    });
                let quoted = if backquote {
                    format!("`{s}`")
                } else {
                    quote_ascii(&go_quote(s), spec.plus)
                };
                spec.pad(out, &quoted);
            }
            ('x' | 'X', Value::Str(s)) => spec.hex_bytes(out, s.as_bytes(), verb == 'X'),
            ('v' | 'd' | 'b' | 'o' | 'O' | 'x' | 'X', Value::Int(_) | Value::Byte(_)) => {
                let i = as_int(arg).unwrap_or_default();
                if verb == 'v' && spec.sharp_v && matches!(arg, Value::Byte(_)) {
                    return spec.pad(out, &format!("0x{}", radix(i.unsigned_abs(), 16, false, 1)));
                }
                spec.integer(out, i, verb);
            }
            ('c' | 'q' | 'U', Value::Int(_) | Value::Byte(_)) => {
                let i = as_int(arg).unwrap_or_default();
                // Go prints an invalid code point as U+FFFD.
                let rune = u32::try_from(i)
                    .ok()
                    .and_then(char::from_u32)
                    .unwrap_or('\u{fffd}');
                let printable =
                    !rune.is_control() && go_quote(&rune.to_string()).chars().count() == 3;
                let text = match verb {
                    'c' => rune.to_string(),
                    'q' if spec.sharp && printable => format!("'{rune}'"),
                    'q' => format!("'{}'", quote_ascii(&quote_rune(rune), spec.plus)),
                    _ if spec.sharp && printable => {
                        format!("U+{} '{rune}'", radix(i.unsigned_abs(), 16, true, 4))
                    }
                    _ => format!("U+{}", radix(i.unsigned_abs(), 16, true, 4)),
                };
                spec.pad(out, &text);
            }
            ('v' | 'g' | 'G' | 'e' | 'E' | 'f' | 'F', Value::Float(f)) => {
                let text = match verb {
                    'e' | 'E' => format_float_e(*f, spec.prec.unwrap_or(6)),
                    'f' | 'F' => crate::float_text::fixed(*f, spec.prec.unwrap_or(6)),
                    'g' | 'G' if spec.prec.is_some() => format_float_g(*f, spec.prec.unwrap_or(6)),
                    _ => format_float(*f),
                };
                let text = if verb.is_ascii_uppercase() {
                    text.to_ascii_uppercase()
                } else {
                    text
                };
                spec.number(out, &text);
            }
            (verb, a) => {
                let _ = write!(out, "%!{verb}({}=", self.type_name(a));
                self.fmt_arg(out, 'v', spec, a);
                out.push(')');
            }
        }
    }
}

/// Flags, width and precision of one `fmt` verb (Go's `fmt.fmtFlags`).
#[derive(Default, Clone, Copy)]
struct Spec {
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    plus_v: bool,
    sharp_v: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

impl Spec {
    /// Go's `fmt.pad`: fill up to the width, with zeros when asked, on the right for `-`.
    fn pad(&self, out: &mut String, s: &str) {
        let fill = self.width.unwrap_or(0).saturating_sub(s.chars().count());
        let fill_char = if self.zero { '0' } else { ' ' };
        if !self.minus {
            out.extend(std::iter::repeat_n(fill_char, fill));
        }
        out.push_str(s);
        if self.minus {
            out.extend(std::iter::repeat_n(' ', fill));
        }
    }

    /// The string cut to the precision, in runes.
    fn truncate<'s>(&self, s: &'s str) -> &'s str {
        match self.prec.and_then(|p| s.char_indices().nth(p)) {
            Some((cut, _)) => &s[..cut],
            None => s,
        }
    }

    /// Go's `fmtInteger`: sign, `0x` prefix, zero padding from the precision or the width.
    fn integer(&self, out: &mut String, i: i64, verb: char) {
        let u = i.unsigned_abs();
        let mut digits = match verb {
            'b' => radix(u, 2, false, 1),
            'o' | 'O' => radix(u, 8, false, 1),
            'x' | 'X' => radix(u, 16, verb == 'X', 1),
            _ => u.to_string(),
        };
        let signed = i < 0 || self.plus || self.space;
        let min_digits = match (self.prec, self.width) {
            (Some(0), _) if u == 0 => {
                return Spec {
                    zero: false,
                    ..*self
                }
                .pad(out, "")
            }
            (Some(p), _) => p,
            (None, Some(w)) if self.zero => w.saturating_sub(usize::from(signed)),
            _ => 0,
        };
        if digits.len() < min_digits {
            digits.insert_str(0, &"0".repeat(min_digits - digits.len()));
        }
        let prefix = match verb {
            'x' if self.sharp => "0x",
            'X' if self.sharp => "0X",
            'b' if self.sharp => "0b",
            'o' if self.sharp && !digits.starts_with('0') => "0",
            'O' => "0o",
            _ => "",
        };
        let sign = match () {
            _ if i < 0 => "-",
            _ if self.plus => "+",
            _ if self.space => " ",
            _ => "",
        };
        Spec {
            zero: false,
            ..*self
        }
        .pad(out, &format!("{sign}{prefix}{digits}"));
    }

    /// A formatted float: `+` and space flags, zeros after the sign.
    fn number(&self, out: &mut String, text: &str) {
        let (sign, digits) = match text.strip_prefix('-') {
            Some(d) => ("-", d),
            None if self.plus => ("+", text),
            None if self.space => (" ", text),
            None => ("", text),
        };
        let finite = digits.starts_with(|c: char| c.is_ascii_digit());
        if self.zero && finite && !self.minus {
            let width = self.width.unwrap_or(0);
            let fill = width.saturating_sub(sign.len() + digits.len());
            out.push_str(sign);
            out.extend(std::iter::repeat_n('0', fill));
            out.push_str(digits);
        } else {
            Spec {
                zero: false,
                ..*self
            }
            .pad(out, &format!("{sign}{digits}"));
        }
    }

    /// Go's `fmtSbx`: hex of bytes, `% x` spaced, `%#x` prefixed, cut to the precision.
    fn hex_bytes(&self, out: &mut String, bytes: &[u8], upper: bool) {
        let bytes = bytes
            .get(..self.prec.unwrap_or(usize::MAX))
            .unwrap_or(bytes);
        let mut text = String::new();
        for (i, b) in bytes.iter().enumerate() {
            if self.sharp && (i == 0 || self.space) {
                text.push_str(if upper { "0X" } else { "0x" });
            }
            text.push_str(&radix(u64::from(*b), 16, upper, 2));
            if self.space && i + 1 < bytes.len() {
                text.push(' ');
            }
        }
        self.pad(out, &text);
    }
}

/// `u` in base 2, 8 or 16, zero-padded to `min_width` digits (by hand: fewer `fmt` impls in
/// the WebAssembly module).
fn radix(mut u: u64, base: u64, upper: bool, min_width: usize) -> String {
    let digits: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut out = Vec::new();
    while u > 0 || out.len() < min_width {
        let digit = usize::try_from(u % base).unwrap_or(0);
        out.push(digits.get(digit).copied().unwrap_or(b'0'));
        u /= base;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// An integer argument (for `*` widths and the integer verbs).
fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Byte(b) => Some(i64::from(*b)),
        _ => None,
    }
}

/// Digits at the start of `rest`, consumed.
/// Go's `fmt.parsenum`: a width or precision. A number that grows past 1e6 before its last
/// digit is "crazy long": Go gives up on it and on the rest of the format (which then prints
/// `%!(NOVERB)`), so a template cannot ask for a gigantic padding.
fn take_number(rest: &mut &str) -> Option<usize> {
    let mut n: usize = 0;
    let mut digits = 0;
    for b in rest.bytes().take_while(u8::is_ascii_digit) {
        if n > 1_000_000 {
            *rest = "";
            return None;
        }
        n = n * 10 + usize::from(b - b'0');
        digits += 1;
    }
    *rest = &rest[digits..];
    (digits > 0).then_some(n)
}

/// Rust's `1.5e0` as Go's `1.5e+00`.
fn go_exponent(rust: &str) -> String {
    match rust.split_once('e') {
        Some((m, e)) => {
            let (sign, digits) = e.strip_prefix('-').map_or(('+', e), |d| ('-', d));
            format!("{m}e{sign}{digits:0>2}")
        }
        None => rust.to_owned(),
    }
}

/// `%+q`: a Go-quoted text with every non-ASCII rune escaped.
fn quote_ascii(quoted: &str, ascii: bool) -> String {
    if !ascii {
        return quoted.to_owned();
    }
    let mut out = String::with_capacity(quoted.len());
    for c in quoted.chars() {
        match c as u32 {
            0..=0x7f => out.push(c),
            u @ 0x80..=0xffff => {
                out.push_str("\\u");
                out.push_str(&radix(u64::from(u), 16, false, 4));
            }
            u => {
                out.push_str("\\U");
                out.push_str(&radix(u64::from(u), 16, false, 8));
            }
        }
    }
    out
}

fn arity(name: &str) -> (usize, Option<usize>) {
    match name {
        "label" | "not" | "len" => (1, Some(1)),
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
        // Go: "something like var x interface{}, never set. It's a form of nil."
        Value::Missing => Some(false),
        Value::Str(s) => Some(!s.is_empty()),
        Value::Int(i) => Some(*i != 0),
        Value::Float(f) => Some(*f != 0.0),
        Value::Bool(b) => Some(*b),
        Value::Byte(b) => Some(*b != 0),
        Value::Data => Some(true),
    }
}

/// Go's `eq` for two values: no value equals only no value.
fn equal(a: &Value, b: &Value) -> std::result::Result<bool, String> {
    match (a, b) {
        (Value::Missing, _) | (_, Value::Missing) => Ok(a == b),
        // The data struct is comparable (all its fields are strings), but only to itself.
        (Value::Data, Value::Data) => Ok(true),
        (Value::Data, _) | (_, Value::Data) => Err("incompatible types for comparison".to_owned()),
        _ => Ok(compare(a, b)? == Some(std::cmp::Ordering::Equal)),
    }
}

fn compare(a: &Value, b: &Value) -> std::result::Result<Option<std::cmp::Ordering>, String> {
    // Go compares signed and unsigned integers by value.
    let widen = |v: &Value| match v {
        Value::Byte(b) => Value::Int(i64::from(*b)),
        other => other.clone(),
    };
    match (&widen(a), &widen(b)) {
        (Value::Str(x), Value::Str(y)) => Ok(Some(x.cmp(y))),
        (Value::Int(x), Value::Int(y)) => Ok(Some(x.cmp(y))),
        (Value::Float(x), Value::Float(y)) => Ok(x.partial_cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Ok(Some(x.cmp(y))),
        (Value::Missing, _) | (_, Value::Missing) => Err("invalid type for comparison".to_owned()),
        (Value::Data, _) | (_, Value::Data) => Err("non-comparable type".to_owned()),
        _ => Err("incompatible types for comparison".to_owned()),
    }
}

/// Go's `%v` (and `%g`) of a float64: the shortest representation, with an exponent below
/// 1e-4 and from 1e6 on (Go's `strconv` uses precision 6 for that decision).
fn format_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-4..1e6).contains(&abs) {
        return go_exponent(&crate::float_text::lower_exp(f));
    }
    crate::float_text::display(f)
}

/// `f` rounded (half to even, on its exact value) to `n` significant digits: the digits and
/// the decimal exponent of the first. Done by hand: Rust's float formatting would add about
/// 20 KB to the WebAssembly module (see `float_text`).
fn significant(f: f64, n: usize) -> (String, i64) {
    // Every finite double's exact decimal expansion ends within 1074 places.
    let exact = crate::float_text::fixed(f.abs(), 1100);
    let point = exact.find('.').unwrap_or(exact.len());
    let all: Vec<u8> = exact.bytes().filter(u8::is_ascii_digit).collect();
    let Some(first) = all.iter().position(|&d| d != b'0') else {
        return ("0".repeat(n.max(1)), 0);
    };
    let mut exp = point as i64 - first as i64 - 1;
    let mut digits: Vec<u8> = (0..n)
        .map(|i| *all.get(first + i).unwrap_or(&b'0'))
        .collect();
    let next = all.get(first + n).copied().unwrap_or(b'0');
    let rest_nonzero = all.iter().skip(first + n + 1).any(|&d| d != b'0');
    let odd = digits.last().is_some_and(|d| (d - b'0') % 2 == 1);
    if next > b'5' || (next == b'5' && (rest_nonzero || odd)) {
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, b'1');
                digits.pop();
                exp += 1;
                break;
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    (String::from_utf8_lossy(&digits).into_owned(), exp)
}

/// Go's `%.<prec>e`.
fn format_float_e(f: f64, prec: usize) -> String {
    if !f.is_finite() {
        return format_float(f);
    }
    let (digits, exp) = significant(f, prec + 1);
    let sign = if f.is_sign_negative() { "-" } else { "" };
    let (first, rest) = digits.split_at(1);
    let dot = if rest.is_empty() { "" } else { "." };
    go_exponent(&format!("{sign}{first}{dot}{rest}e{exp}"))
}

/// Go's `%.<prec>g`: `prec` significant digits, exponent form when the exponent is below -4 or
/// at least the number of digits asked (or kept, when fewer).
fn format_float_g(f: f64, prec: usize) -> String {
    if !f.is_finite() {
        return format_float(f);
    }
    let prec = prec.max(1);
    let (digits, exp) = significant(f, prec);
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let (nd, dp) = (digits.len() as i64, exp + 1);
    let mut eprec = prec as i64;
    if eprec > nd && nd >= dp {
        eprec = nd;
    }
    if exp < -4 || exp >= eprec {
        return format_float_e(f, (nd - 1).max(0) as usize);
    }
    let decimals = if prec as i64 > dp {
        nd - dp
    } else {
        prec as i64 - dp
    };
    crate::float_text::fixed(f, usize::try_from(decimals).unwrap_or(0))
}

/// The inside of Go's `strconv.QuoteRune`: like a quoted string, but `'` is escaped, `"` not.
fn quote_rune(c: char) -> String {
    match c {
        '\'' => "\\'".to_owned(),
        '"' => "\"".to_owned(),
        c => {
            let quoted = go_quote(&c.to_string());
            let inner = quoted.strip_prefix('"').and_then(|q| q.strip_suffix('"'));
            inner.unwrap_or_default().to_owned()
        }
    }
}

/// Go's `HTMLEscapeString`.
fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Go's `JSEscapeString` (Go 1.19 and later: `&` and `=` escaped too).
fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if c < ' ' || (!c.is_ascii() && !is_go_print(c)) => {
                out.push_str("\\u");
                out.push_str(&radix(u64::from(u32::from(c)), 16, true, 4));
            }
            c => out.push(c),
        }
    }
    out
}

/// Go's `unicode.IsPrint` for non-ASCII runes, without Unicode tables: control, space
/// separator, format and private-use characters are not printable. Unassigned code points,
/// which Go also counts as unprintable, pass as printable here.
fn is_go_print(c: char) -> bool {
    let u = c as u32;
    !(c.is_control()
        || c.is_whitespace()
        || matches!(
            u,
            0xAD | 0x600..=0x605
                | 0x61C
                | 0x6DD
                | 0x70F
                | 0x890..=0x891
                | 0x8E2
                | 0x180E
                | 0x200B..=0x200F
                | 0x202A..=0x202E
                | 0x2060..=0x2064
                | 0x2066..=0x206F
                | 0xFEFF
                | 0xFFF9..=0xFFFB
                | 0x110BD
                | 0x110CD
                | 0x13430..=0x1343F
                | 0x1BCA0..=0x1BCA3
                | 0x1D173..=0x1D17A
                | 0xE0001
                | 0xE0020..=0xE007F
                | 0xE000..=0xF8FF
                | 0xF0000..=0xFFFFD
                | 0x100000..=0x10FFFD
        ))
}

/// Go's `url.QueryEscape`.
fn url_query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            b => {
                out.push('%');
                out.push_str(&radix(u64::from(b), 16, true, 2));
            }
        }
    }
    out
}
