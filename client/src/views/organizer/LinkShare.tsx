import QRCode from 'qrcode';
import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../../i18n/i18n';

/** Full address of a join link on this hub. */
export const absoluteUrl = (path: string): string => new URL(path, window.location.origin).toString();

/** Copies text; falls back to a selected input where the Clipboard API is unavailable (plain http on a LAN). */
async function copyText(text: string, fallback: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (!fallback) return false;
    fallback.select();
    return document.execCommand('copy');
  }
}

/** A join link with a copy button and a QR code for the meeting-room PC (generated locally, no network). */
export function LinkShare({ url, label }: { url: string; label: string }) {
  const { t } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  const [qr, setQr] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    let live = true;
    QRCode.toDataURL(url, { margin: 1, width: 220, errorCorrectionLevel: 'M' })
      .then((data) => live && setQr(data))
      .catch(() => live && setQr(null));
    return () => {
      live = false;
    };
  }, [url]);

  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2500);
    return () => clearTimeout(timer);
  }, [copied]);

  return (
    <div className="linkshare" data-testid="link-share">
      <div className="linkshare__text">
        <label htmlFor={`link-${label}`}>{label}</label>
        <div className="linkshare__row">
          <input
            id={`link-${label}`}
            ref={input}
            readOnly
            value={url}
            onFocus={(e) => e.target.select()}
            data-testid="join-url"
          />
          <button
            type="button"
            className="btn"
            onClick={() => void copyText(url, input.current).then(setCopied)}
          >
            {t(copied ? 'org.links.copied' : 'org.links.copy')}
          </button>
        </div>
        <p className="org-note" role="status">
          {copied ? t('org.links.copiedNote') : t('org.links.secretNote')}
        </p>
      </div>
      {qr ? (
        <img
          className="linkshare__qr"
          src={qr}
          alt={t('org.links.qrAlt', { label })}
          width={220}
          height={220}
        />
      ) : null}
    </div>
  );
}
