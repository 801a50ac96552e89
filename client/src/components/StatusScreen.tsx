import type { ReactNode } from 'react';
import { LanguageSwitch } from './LanguageSwitch';

interface Props {
  title: string;
  children?: ReactNode;
  /** Buttons that offer a way on. */
  actions?: ReactNode;
  tone?: 'neutral' | 'error' | 'wait';
  busy?: boolean;
  testId?: string;
}

/** A full-page message (loading, error, waiting, ended): never a blank page. */
export function StatusScreen({ title, children, actions, tone = 'neutral', busy, testId }: Props) {
  return (
    <main
      className={`status-screen status-screen--${tone}`}
      data-testid={testId}
      aria-busy={busy || undefined}
    >
      <div className="status-screen__top">
        <span className="brand">Giao Ban</span>
        <LanguageSwitch />
      </div>
      <div className="status-screen__card" role={tone === 'error' ? 'alert' : 'status'}>
        {busy ? <span className="spinner spinner--large" aria-hidden="true" /> : null}
        <h1 className="status-screen__title">{title}</h1>
        {children ? <div className="status-screen__body">{children}</div> : null}
        {actions ? <div className="status-screen__actions">{actions}</div> : null}
      </div>
    </main>
  );
}
