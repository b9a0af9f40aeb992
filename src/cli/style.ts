// Minimal terminal styling: colour only when stderr is a terminal and NO_COLOR is unset.

const useColor = Boolean(process.stderr.isTTY) && !process.env.NO_COLOR;
const wrap = (code: string) => (s: string): string => (useColor ? `\u001b[${code}m${s}\u001b[0m` : s);

export const red = wrap('31');
export const yellow = wrap('33');
export const green = wrap('32');
export const bold = wrap('1');
export const dim = wrap('2');
