//! The parser of Go's `text/template` (package `text/template/parse`): same grammar, same
//! checks at parse time (undefined functions and variables, empty pipelines) and the same
//! error texts (`template: :1: unexpected "}" in operand`).
//! One concern, the grammar (a recursive-descent reader of Go's tokens); the nodes it builds are
//! in `tree`; string and character constants are unquoted by `strconv`.

use super::builtins::FUNCTIONS;
use super::lex::{lex, Kind, Token};
use super::strconv::{go_quote, raw_unquote, unquote, unquote_char};
use super::tree::{Arg, Branch, Command, Node, Number, Pipe, Trees};

/// Deepest nesting of parentheses and control blocks we accept. Go allows 10,000 parenthesised
/// levels; we stop earlier so evaluation stays far from the stack limit on wasm.
const MAX_DEPTH: usize = 100;

/// Go's `IsEmptyTree`: only blank text (comments never reach the tree).
fn is_empty_tree(list: &[Node]) -> bool {
    list.iter()
        .all(|n| matches!(n, Node::Text(t) if t.trim().is_empty()))
}

/// Why parsing stopped: the message without Go's `template: :<line>: ` prefix, and the line.
#[derive(Debug)]
pub(super) struct ParseError {
    pub(super) line: usize,
    pub(super) message: String,
}

type Result<T> = std::result::Result<T, ParseError>;

/// Parse a template, with the templates it defines.
pub(super) fn parse(source: &str) -> Result<Trees> {
    let tokens = lex(source);
    let mut p = Parser {
        tokens,
        i: 0,
        vars: vec!["$".to_owned()],
        range_depth: 0,
        depth: 0,
        action_line: 0,
        last_line: 1,
        trees: Vec::new(),
    };
    let root = p.parse()?;
    p.add(String::new(), root)?;
    Ok(p.trees)
}

/// What ended an item list.
enum Stop {
    End,
    Else,
}

struct Parser {
    tokens: Vec<Token>,
    i: usize,
    vars: Vec<String>,
    range_depth: usize,
    depth: usize,
    action_line: usize,
    last_line: usize,
    trees: Trees,
}

impl Parser {
    fn eof(&self) -> Token {
        Token {
            kind: Kind::Eof,
            pos: self.tokens.last().map_or(0, |t| t.pos),
            val: String::new(),
            line: self.tokens.last().map_or(1, |t| t.line),
        }
    }

    fn next(&mut self) -> Token {
        let t = self
            .tokens
            .get(self.i)
            .cloned()
            .unwrap_or_else(|| self.eof());
        if self.i < self.tokens.len() {
            self.i += 1;
        }
        // Go's errors name the line of the furthest token read, even after backing up.
        self.last_line = self.last_line.max(t.line);
        t
    }

    fn backup(&mut self) {
        self.i = self.i.saturating_sub(1);
    }

    fn peek(&mut self) -> Token {
        let t = self.next();
        self.backup();
        t
    }

    fn next_non_space(&mut self) -> Token {
        loop {
            let t = self.next();
            if t.kind != Kind::Space {
                return t;
            }
        }
    }

    fn peek_non_space(&mut self) -> Token {
        let t = self.next_non_space();
        self.backup();
        t
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T> {
        Err(ParseError {
            line: self.last_line,
            message: message.into(),
        })
    }

    fn unexpected<T>(&self, token: &Token, context: &str) -> Result<T> {
        if token.kind == Kind::Error {
            let extra = if self.action_line != 0 && self.action_line != token.line {
                // Go reports the line the action started on ("unclosed action started at").
                let extra = format!(" in action started at :{}", self.action_line);
                if token.val.ends_with(" action") {
                    extra.replacen(" in action", "", 1)
                } else {
                    extra
                }
            } else {
                String::new()
            };
            return self.error(format!("{token}{extra}"));
        }
        self.error(format!("unexpected {token} in {context}"))
    }

    fn expect(&mut self, kind: Kind, context: &str) -> Result<Token> {
        let t = self.next_non_space();
        if t.kind != kind {
            return self.unexpected(&t, context);
        }
        Ok(t)
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.error("max expression depth exceeded");
        }
        Ok(())
    }

    fn parse(&mut self) -> Result<Vec<Node>> {
        let mut root = Vec::new();
        while self.peek().kind != Kind::Eof {
            if self.peek().kind == Kind::Error {
                let t = self.next();
                return self.unexpected(&t, "input");
            }
            if self.peek().kind == Kind::LeftDelim {
                let before = self.i;
                let delim = self.next();
                if self.next_non_space().kind == Kind::Define {
                    self.action_line = delim.line;
                    self.definition()?;
                    continue;
                }
                self.i = before;
            }
            match self.text_or_action()? {
                Item::Node(n) => root.push(n),
                Item::Stop(Stop::End) => return self.error("unexpected {{end}}"),
                Item::Stop(Stop::Else) => return self.error("unexpected {{else}}"),
            }
        }
        Ok(root)
    }

    fn item_list(&mut self) -> Result<(Vec<Node>, Stop)> {
        let mut list = Vec::new();
        while self.peek_non_space().kind != Kind::Eof {
            match self.text_or_action()? {
                Item::Node(n) => list.push(n),
                Item::Stop(stop) => return Ok((list, stop)),
            }
        }
        self.error("unexpected EOF")
    }

    fn text_or_action(&mut self) -> Result<Item> {
        let token = self.next_non_space();
        match token.kind {
            Kind::Text => Ok(Item::Node(Node::Text(token.val))),
            Kind::LeftDelim => {
                self.action_line = token.line;
                let r = self.action();
                self.action_line = 0;
                r
            }
            _ => self.unexpected(&token, "input"),
        }
    }

    fn action(&mut self) -> Result<Item> {
        let token = self.next_non_space();
        match token.kind {
            Kind::Block => self.block(),
            Kind::Template => {
                let token = self.next_non_space();
                let name = self.template_name(&token, "template clause")?;
                let mut pipe = None;
                if self.next_non_space().kind != Kind::RightDelim {
                    self.backup();
                    // Variables the pipeline declares stay in scope, as in Go.
                    pipe = Some(self.pipeline("template clause", Kind::RightDelim)?);
                }
                Ok(Item::Node(Node::Template {
                    pos: token.pos,
                    name,
                    pipe,
                }))
            }
            Kind::Break => self.loop_control("break").map(|_| Item::Node(Node::Break)),
            Kind::Continue => self
                .loop_control("continue")
                .map(|_| Item::Node(Node::Continue)),
            Kind::Else => self.else_control(),
            Kind::End => {
                self.expect(Kind::RightDelim, "end")?;
                Ok(Item::Stop(Stop::End))
            }
            Kind::If => Ok(Item::Node(Node::If(Box::new(self.control("if")?)))),
            Kind::With => Ok(Item::Node(Node::With(Box::new(self.control("with")?)))),
            Kind::Range => Ok(Item::Node(Node::Range(Box::new(self.control("range")?)))),
            _ => {
                self.backup();
                let pipe = self.pipeline("command", Kind::RightDelim)?;
                Ok(Item::Node(Node::Action(pipe)))
            }
        }
    }

    /// The quoted name after `define`, `template` or `block`.
    fn template_name(&self, token: &Token, context: &str) -> Result<String> {
        let name = match token.kind {
            Kind::String => unquote(&token.val),
            Kind::RawString => Some(raw_unquote(&token.val)),
            _ => return self.unexpected(token, context),
        };
        match name {
            Some(name) => Ok(name),
            None => self.error("invalid syntax"),
        }
    }

    /// `{{define "name"}}...{{end}}` at the top level (the `{{define` is read).
    fn definition(&mut self) -> Result<()> {
        let token = self.next_non_space();
        let name = self.template_name(&token, "define clause")?;
        self.expect(Kind::RightDelim, "define clause")?;
        self.action_line = 0;
        let list = self.own_tree("define clause", None)?;
        self.add(name, list)
    }

    /// `{{block "name" pipe}}...{{end}}`: defines `name` and executes it here.
    fn block(&mut self) -> Result<Item> {
        let token = self.next_non_space();
        let name = self.template_name(&token, "block clause")?;
        let pipe = self.pipeline("block clause", Kind::RightDelim)?;
        // Go reports a stray `{{else}}` from the enclosing tree, at its last token: the header's
        // closing delimiter.
        let header_line = self.last_line;
        self.enter()?;
        let list = self.own_tree("block clause", Some(header_line))?;
        self.depth -= 1;
        self.add(name.clone(), list)?;
        Ok(Item::Node(Node::Template {
            pos: token.pos,
            name,
            pipe: Some(pipe),
        }))
    }

    /// The body of a `define` or `block`: a tree of its own, so it sees only `$` and no
    /// enclosing `range`.
    fn own_tree(&mut self, context: &str, else_line: Option<usize>) -> Result<Vec<Node>> {
        let vars = std::mem::replace(&mut self.vars, vec!["$".to_owned()]);
        let range_depth = std::mem::replace(&mut self.range_depth, 0);
        let (list, stop) = self.item_list()?;
        if let Stop::Else = stop {
            return Err(ParseError {
                line: else_line.unwrap_or(self.last_line),
                message: format!("unexpected {{{{else}}}} in {context}"),
            });
        }
        self.vars = vars;
        self.range_depth = range_depth;
        Ok(list)
    }

    /// Go's `Tree.add`: a template may replace an empty one of the same name; two non-empty
    /// ones are an error; an empty one never replaces anything.
    fn add(&mut self, name: String, list: Vec<Node>) -> Result<()> {
        match self.trees.iter_mut().find(|(n, _)| *n == name) {
            None => self.trees.push((name, list)),
            Some((_, old)) if is_empty_tree(old) => *old = list,
            Some(_) if !is_empty_tree(&list) => {
                return self.error(format!(
                    "template: multiple definition of template {}",
                    go_quote(&name)
                ))
            }
            Some(_) => {}
        }
        Ok(())
    }

    fn loop_control(&mut self, word: &str) -> Result<()> {
        let t = self.next_non_space();
        if t.kind != Kind::RightDelim {
            return self.unexpected(&t, &format!("{{{{{word}}}}}"));
        }
        if self.range_depth == 0 {
            return self.error(format!("{{{{{word}}}}} outside {{{{range}}}}"));
        }
        Ok(())
    }

    fn else_control(&mut self) -> Result<Item> {
        let peek = self.peek_non_space();
        if peek.kind == Kind::If || peek.kind == Kind::With {
            // `{{else if ...` is `{{else}}{{if ...`: the caller reads the `if`.
            return Ok(Item::Stop(Stop::Else));
        }
        self.expect(Kind::RightDelim, "else")?;
        Ok(Item::Stop(Stop::Else))
    }

    fn control(&mut self, context: &str) -> Result<Branch> {
        self.enter()?;
        let vars = self.vars.len();
        let pipe = self.pipeline(context, Kind::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let (list, stop) = self.item_list()?;
        if context == "range" {
            self.range_depth -= 1;
        }
        let mut else_list = None;
        if let Stop::Else = stop {
            let chained = match (context, self.peek().kind) {
                ("if", Kind::If) => Some(Node::If as fn(Box<Branch>) -> Node),
                ("with", Kind::With) => Some(Node::With as fn(Box<Branch>) -> Node),
                _ => None,
            };
            if let Some(make) = chained {
                self.next();
                let inner = self.control(context)?;
                else_list = Some(vec![make(Box::new(inner))]);
            } else {
                let (list, stop) = self.item_list()?;
                if let Stop::Else = stop {
                    return self.error("expected end; found {{else}}");
                }
                else_list = Some(list);
            }
        }
        self.vars.truncate(vars);
        self.depth -= 1;
        Ok(Branch {
            pipe,
            list,
            else_list,
        })
    }

    fn pipeline(&mut self, context: &str, end: Kind) -> Result<Pipe> {
        let start = self.peek_non_space();
        let mut pipe = Pipe {
            pos: start.pos,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        loop {
            let v = self.peek_non_space();
            if v.kind != Kind::Variable {
                break;
            }
            let before = self.i;
            self.next_non_space();
            let after_variable = self.peek();
            let next = self.peek_non_space();
            if next.kind == Kind::Assign || next.kind == Kind::Declare {
                pipe.is_assign = next.kind == Kind::Assign;
                self.next_non_space();
                pipe.decl.push(v.val.clone());
                self.vars.push(v.val);
                break;
            } else if next.kind == Kind::Char && next.val == "," {
                self.next_non_space();
                pipe.decl.push(v.val.clone());
                self.vars.push(v.val);
                if context == "range" && pipe.decl.len() < 2 {
                    match self.peek_non_space().kind {
                        Kind::Variable | Kind::RightDelim | Kind::RightParen => continue,
                        _ => return self.error("range can only initialize variables"),
                    }
                }
                return self.error(format!("too many declarations in {context}"));
            } else {
                let _ = after_variable;
                self.i = before;
                break;
            }
        }
        loop {
            let token = self.next_non_space();
            match token.kind {
                k if k == end => {
                    if pipe.cmds.is_empty() {
                        return self.error(format!("missing value for {context}"));
                    }
                    for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
                        if matches!(
                            c.args.first(),
                            Some(
                                Arg::Bool { .. }
                                    | Arg::Dot { .. }
                                    | Arg::Nil { .. }
                                    | Arg::Number { .. }
                                    | Arg::String { .. }
                            )
                        ) {
                            return self.error(format!(
                                "non executable command in pipeline stage {}",
                                i + 1
                            ));
                        }
                    }
                    return Ok(pipe);
                }
                Kind::Bool
                | Kind::CharConstant
                | Kind::Complex
                | Kind::Dot
                | Kind::Field
                | Kind::Identifier
                | Kind::Number
                | Kind::Nil
                | Kind::RawString
                | Kind::String
                | Kind::Variable
                | Kind::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    pipe.cmds.push(cmd);
                }
                _ => return self.unexpected(&token, context),
            }
        }
    }

    fn command(&mut self) -> Result<Command> {
        let mut cmd = Command {
            pos: self.peek_non_space().pos,
            args: Vec::new(),
        };
        loop {
            self.peek_non_space();
            if let Some(operand) = self.operand()? {
                cmd.args.push(operand);
            }
            let token = self.next();
            match token.kind {
                Kind::Space => continue,
                Kind::RightDelim | Kind::RightParen => self.backup(),
                Kind::Pipe => {}
                _ => return self.unexpected(&token, "operand"),
            }
            break;
        }
        if cmd.args.is_empty() {
            return self.error("empty command");
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> Result<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().kind != Kind::Field {
            return Ok(Some(node));
        }
        let chain_pos = self.peek().pos;
        let mut fields = Vec::new();
        while self.peek().kind == Kind::Field {
            let t = self.next();
            fields.push(t.val.trim_start_matches('.').to_owned());
        }
        Ok(Some(match node {
            Arg::Field { mut ident, .. } => {
                ident.extend(fields);
                Arg::Field {
                    pos: chain_pos,
                    ident,
                }
            }
            Arg::Variable { mut ident, .. } => {
                ident.extend(fields);
                Arg::Variable {
                    pos: chain_pos,
                    ident,
                }
            }
            Arg::Bool { .. }
            | Arg::String { .. }
            | Arg::Number { .. }
            | Arg::Nil { .. }
            | Arg::Dot { .. } => {
                return self.error(format!(
                    "unexpected . after term {}",
                    go_quote(&node.to_string())
                ))
            }
            other => Arg::Chain {
                pos: chain_pos,
                node: Box::new(other),
                field: fields,
            },
        }))
    }

    fn term(&mut self) -> Result<Option<Arg>> {
        let token = self.next_non_space();
        let pos = token.pos;
        Ok(Some(match token.kind {
            Kind::Identifier => {
                if !FUNCTIONS.contains(&token.val.as_str()) {
                    return self.error(format!("function {} not defined", go_quote(&token.val)));
                }
                Arg::Identifier {
                    pos,
                    name: token.val,
                }
            }
            Kind::Dot => Arg::Dot { pos },
            Kind::Nil => Arg::Nil { pos },
            Kind::Variable => {
                let ident: Vec<String> = token.val.split('.').map(str::to_owned).collect();
                let name = ident.first().cloned().unwrap_or_default();
                if !self.vars.contains(&name) {
                    return self.error(format!("undefined variable {}", go_quote(&name)));
                }
                Arg::Variable { pos, ident }
            }
            Kind::Field => Arg::Field {
                pos,
                ident: vec![token.val.trim_start_matches('.').to_owned()],
            },
            Kind::Bool => Arg::Bool {
                pos,
                value: token.val == "true",
            },
            Kind::CharConstant => {
                let value = match unquote_char(&token.val) {
                    Some(c) => Number::Int(i64::from(c as u32)),
                    None => {
                        return self.error(format!("malformed character constant: {}", token.val))
                    }
                };
                Arg::Number {
                    pos,
                    text: token.val,
                    value,
                }
            }
            Kind::Complex => {
                return self.error(format!(
                    "complex constant {} is not supported by kuma-mzs",
                    token.val
                ))
            }
            Kind::Number => {
                let Some(value) = parse_number(&token.val) else {
                    return self.error(format!("illegal number syntax: {}", go_quote(&token.val)));
                };
                Arg::Number {
                    pos,
                    text: token.val,
                    value,
                }
            }
            Kind::LeftParen => {
                self.enter()?;
                let pipe = self.pipeline("parenthesized pipeline", Kind::RightParen)?;
                self.depth -= 1;
                Arg::Pipe(Box::new(pipe))
            }
            Kind::String | Kind::RawString => {
                let text = if token.kind == Kind::RawString {
                    Some(raw_unquote(&token.val))
                } else {
                    unquote(&token.val)
                };
                let Some(text) = text else {
                    return self.error("invalid syntax");
                };
                Arg::String {
                    pos,
                    quoted: token.val,
                    text,
                }
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }
}

/// What [`Parser::text_or_action`] produced.
enum Item {
    Node(Node),
    Stop(Stop),
}

/// Go's number syntax: decimal, `0x`, `0o`, `0b`, underscores, floats.
fn parse_number(text: &str) -> Option<Number> {
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    let (neg, body) = match clean.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, clean.strip_prefix('+').unwrap_or(&clean)),
    };
    let radix_int = |digits: &str, radix: u32| -> Option<Number> {
        let v = i64::from_str_radix(digits, radix).ok()?;
        Some(Number::Int(if neg { -v } else { v }))
    };
    let lower = body.to_ascii_lowercase();
    if let Some(h) = lower.strip_prefix("0x") {
        if !h.contains(['.', 'p']) {
            return radix_int(h, 16);
        }
        return None;
    }
    if let Some(o) = lower.strip_prefix("0o") {
        return radix_int(o, 8);
    }
    if let Some(b) = lower.strip_prefix("0b") {
        return radix_int(b, 2);
    }
    if body.is_empty() || body == "." {
        return None;
    }
    if !body.contains(['.', 'e', 'E']) {
        if body.len() > 1 && body.starts_with('0') {
            // Go reads a leading 0 as octal.
            return radix_int(&body[1..], 8);
        }
        return radix_int(body, 10);
    }
    let f: f64 = body.parse().ok()?;
    let f = if neg { -f } else { f };
    Some(Number::Float(f.to_bits()))
}
