//! `/etc/hostname`: the name and a newline (hostname(5)).

use crate::conf::Hostname;
use crate::text::{Full, Out};

pub fn render(out: &mut Out<'_>, name: &Hostname) -> Result<(), Full> {
    out.put(name.as_str().as_bytes())?;
    out.byte(b'\n')
}

#[cfg(test)]
mod tests {
    #[test]
    fn name_and_newline() {
        let (h, _) = crate::conf::Hostname::parse(b"VM_10_20_xxxx").unwrap();
        let mut b = [0u8; 80];
        let mut o = crate::text::Out::new(&mut b);
        super::render(&mut o, &h).unwrap();
        assert_eq!(o.as_bytes(), b"VM-10-20-xxxx\n");
    }
}
