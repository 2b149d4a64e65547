import type { ClipboardEvent } from 'react';

/** Inserts pasted text with the whitespace around it dropped (a copied secret often has some). */
export function pasteTrimmed(
  event: ClipboardEvent<HTMLInputElement>,
  value: string,
  set: (value: string) => void,
): boolean {
  const pasted = event.clipboardData.getData('text');
  const trimmed = pasted.trim();
  if (trimmed === pasted) return false;
  event.preventDefault();
  const input = event.currentTarget;
  const start = input.selectionStart ?? value.length;
  const end = input.selectionEnd ?? value.length;
  set(value.slice(0, start) + trimmed + value.slice(end));
  return true;
}
