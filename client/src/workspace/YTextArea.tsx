import { DOC_INSERT_MAX_BYTES, utf8Bytes } from '@giaoban/shared';
import { type ChangeEvent, useEffect, useRef, useState } from 'react';
import type * as Y from 'yjs';
import { useWsI18n } from './i18n';

/** Where a caret moves when a remote change lands before or inside the selection. */
export function mapOffset(offset: number, delta: Y.YTextEvent['delta']): number {
  let pos = 0;
  let out = offset;
  for (const d of delta) {
    if (d.retain !== undefined) pos += d.retain;
    else if (d.insert !== undefined) {
      const len = typeof d.insert === 'string' ? d.insert.length : 1;
      // Text inserted exactly at the caret goes after it: the writer's next key continues its own run.
      if (pos < offset) out += len;
      pos += len;
    } else if (d.delete !== undefined) {
      if (pos < offset) out -= Math.min(d.delete, offset - pos);
    }
  }
  return Math.max(0, out);
}

/** The smallest edit turning `prev` into `next`: position, deleted count, inserted text. */
export function diffText(prev: string, next: string): { at: number; remove: number; insert: string } {
  let start = 0;
  const max = Math.min(prev.length, next.length);
  while (start < max && prev.charCodeAt(start) === next.charCodeAt(start)) start++;
  let end = 0;
  while (
    end < max - start &&
    prev.charCodeAt(prev.length - 1 - end) === next.charCodeAt(next.length - 1 - end)
  ) {
    end++;
  }
  return { at: start, remove: prev.length - start - end, insert: next.slice(start, next.length - end) };
}

/**
 * A textarea bound to a Y.Text: local typing becomes the smallest Yjs edit, remote edits update
 * the text without moving the caret. A paste larger than DOC_INSERT_MAX_BYTES is refused here,
 * with a visible message, before it enters the document.
 */
export function YTextArea({
  text,
  label,
  id,
  rows = 8,
  placeholder,
  readOnly = false,
}: {
  text: Y.Text;
  label: string;
  id: string;
  rows?: number;
  placeholder?: string;
  readOnly?: boolean;
}) {
  const { t } = useWsI18n();
  const ref = useRef<HTMLTextAreaElement>(null);
  const [value, setValue] = useState(() => text.toString());
  const [tooLarge, setTooLarge] = useState<number | null>(null);

  useEffect(() => {
    setValue(text.toString());
    const observer = (event: Y.YTextEvent, tr: Y.Transaction) => {
      const next = text.toString();
      const el = ref.current;
      if (tr.local || !el || document.activeElement !== el) {
        setValue(next);
        return;
      }
      const start = mapOffset(el.selectionStart, event.delta);
      const end = mapOffset(el.selectionEnd, event.delta);
      el.value = next;
      el.setSelectionRange(start, end);
      setValue(next);
    };
    text.observe(observer);
    return () => text.unobserve(observer);
  }, [text]);

  const onChange = (e: ChangeEvent<HTMLTextAreaElement>) => {
    const prev = text.toString();
    const { at, remove, insert } = diffText(prev, e.target.value);
    const size = utf8Bytes(insert);
    if (size > DOC_INSERT_MAX_BYTES) {
      setTooLarge(size);
      setValue(prev);
      return;
    }
    setTooLarge(null);
    text.doc?.transact(() => {
      if (remove > 0) text.delete(at, remove);
      if (insert) text.insert(at, insert);
    });
    setValue(text.toString());
  };

  return (
    <div className="ws-text">
      <label htmlFor={id} className="ws-text__label">
        {label}
      </label>
      <textarea
        id={id}
        ref={ref}
        rows={rows}
        value={value}
        placeholder={placeholder}
        readOnly={readOnly}
        onChange={onChange}
        spellCheck={false}
      />
      {tooLarge !== null ? (
        <p className="ws-alert" role="alert">
          {t('ws.tooLarge', {
            size: Math.ceil(tooLarge / 1024),
            max: Math.floor(DOC_INSERT_MAX_BYTES / 1024),
          })}
        </p>
      ) : null}
    </div>
  );
}
