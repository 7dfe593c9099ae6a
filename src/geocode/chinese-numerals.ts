/** Digit values of Chinese numeral characters (两 counts as 2, 〇 and 零 as 0); -1 for other characters. */
const DIGIT = new Int8Array(0x10000).fill(-1);
for (const [chars, value] of [
  ['〇零', 0],
  ['一壹', 1],
  ['二两贰', 2],
  ['三叁', 3],
  ['四肆', 4],
  ['五伍', 5],
  ['六陆', 6],
  ['七柒', 7],
  ['八捌', 8],
  ['九玖', 9],
] as const) {
  for (const c of chars) DIGIT[c.charCodeAt(0)] = value;
}

/** Unit values: 十 10, 百 100, 千 1000 (拾佰仟 too); 0 for other characters. */
const UNIT = new Int16Array(0x10000);
for (const [chars, value] of [
  ['十拾', 10],
  ['百佰', 100],
  ['千仟', 1000],
] as const) {
  for (const c of chars) UNIT[c.charCodeAt(0)] = value;
}

/** True for a character that can be part of a Chinese numeral (digit or unit). */
export function isChineseNumeral(code: number): boolean {
  return DIGIT[code]! >= 0 || UNIT[code]! > 0;
}

/**
 * The value of the Chinese numeral `text.slice(start, end)`, or -1 when it is not a well-formed
 * number below 10 000. Positional forms (十二, 二十, 一百零八, 一百一十) and digit-by-digit forms
 * (一〇八, 二〇) are both read.
 * @example parseChineseNumeral('一百零八', 0, 4) // 108; parseChineseNumeral('十二', 0, 2) // 12
 */
export function parseChineseNumeral(text: string, start = 0, end = text.length): number {
  if (end <= start) return -1;
  let hasUnit = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (UNIT[c]! > 0) hasUnit = true;
    else if (DIGIT[c]! < 0) return -1;
  }
  if (!hasUnit) {
    let value = 0;
    for (let i = start; i < end; i++) value = value * 10 + DIGIT[text.charCodeAt(i)]!;
    return value;
  }
  let total = 0;
  /** the digit waiting for its unit; -1 when none */
  let pending = -1;
  /** the last unit used: units must fall (千 > 百 > 十) */
  let lastUnit = 100_000;
  /** a 零 was seen since the last unit */
  let zero = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    const unit = UNIT[c]!;
    if (unit > 0) {
      if (unit >= lastUnit) return -1;
      // a bare 十 means 一十 (十二 = 12), but only at the start
      if (pending < 0) {
        if (i !== start || unit !== 10) return -1;
        pending = 1;
      }
      total += pending * unit;
      pending = -1;
      lastUnit = unit;
      zero = false;
    } else {
      const digit = DIGIT[c]!;
      if (pending >= 0) return -1;
      if (digit === 0) {
        if (zero || i === start) return -1;
        zero = true;
        continue;
      }
      pending = digit;
    }
  }
  if (pending >= 0) {
    // 一百一 / 三千五: a trailing digit right after a unit (no 零) counts in the next lower unit
    const implied = !zero && lastUnit >= 100 && UNIT[text.charCodeAt(end - 2)]! > 0 ? lastUnit / 10 : 1;
    total += pending * implied;
  }
  return total;
}
