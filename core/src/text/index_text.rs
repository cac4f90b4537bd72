//! `[i]` of a field path (`spec.ports[0]`), written without `format!`: paths are built for every
//! list item of every check, and the formatting machinery costs more than the path itself.

/// Append `[i]` to `path`.
pub(crate) fn push_index(path: &mut String, i: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = i;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    path.push('[');
    for &d in &digits[at..] {
        path.push(char::from(d));
    }
    path.push(']');
}

#[cfg(test)]
mod tests {
    #[test]
    fn indexes_read_as_format_writes_them() {
        for i in [0, 7, 10, 99, 12345, usize::MAX] {
            let mut path = "spec.ports".to_owned();
            super::push_index(&mut path, i);
            assert_eq!(path, format!("spec.ports[{i}]"));
        }
    }
}
