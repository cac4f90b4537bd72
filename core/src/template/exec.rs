//! Execution of a parsed template (Go's `text/template` `exec.go`): walking the tree, control
//! blocks, `{{template}}` calls, pipelines, variables, fields and function calls, with Go's
//! execution error texts (`template: :1:3: executing "" at <.Foo>: can't evaluate field Foo in
//! type ...`) and the budgets that stop runaway templates.

use super::builtins::{arity, call_builtin};
use super::fmt::print;
use super::strconv::go_quote;
use super::tree::{Arg, Branch, Command, Node, Pipe, Trees};
use super::value::{is_true, Data, Value};
use super::MAX_OUTPUT;

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

/// An execution failure: where (`:line:col`), the node's text, and the message.
pub(super) struct ExecError(pub(super) String);

type Result<T> = std::result::Result<T, ExecError>;

/// How a list of nodes ended: at its end, or at a `{{break}}` or `{{continue}}`.
enum Flow {
    Normal,
    Break,
    Continue,
}

/// Run the root template (`""`) of `trees` against `data`; `source` gives errors their
/// `:line:col`.
pub(super) fn execute(source: &str, trees: &Trees, data: &Data<'_>) -> Result<String> {
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
                    let text = print(self.data, &v);
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
            return self.errorf(format!("if/with can't use {}", print(self.data, &val)));
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
                return self.errorf(format!(
                    "range can't iterate over {}",
                    print(self.data, other)
                ));
            }
        };
        if b.pipe.decl.len() > 1 {
            return self.errorf(format!(
                "can't use {} to iterate over more than one variable",
                print(self.data, &val)
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
                    Arg::Number { value, .. } => Ok(Value::from(*value)),
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
            self.data.type_of(receiver)
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
            Arg::Number { value, .. } => Ok(Value::from(*value)),
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
                self.data.type_of(&other)
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
                (None, Some(v)) => format!("<{} Value>", self.data.type_of(v)),
                (None, None) => String::new(),
            };
            let message = match args.first() {
                None | Some(Value::Missing) => "call of nil".to_owned(),
                Some(v) => format!("non-function {callee} of type {}", self.data.type_of(v)),
            };
            return self.errorf(format!("error calling call: {message}"));
        }
        match call_builtin(self.data, name, &args) {
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
}
