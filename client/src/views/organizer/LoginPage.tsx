import { type FormEvent, useState } from 'react';
import { LanguageSwitch } from '../../components/LanguageSwitch';
import { type MessageKey, useI18n } from '../../i18n/i18n';
import { ApiError, api } from '../../services/api';

/** Organizer sign-in. */
export function LoginPage() {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<MessageKey | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.login(username, password);
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? 'login.failed'
          : (`error.${err instanceof ApiError ? err.code : 'INTERNAL'}` as MessageKey),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="status-screen" data-testid="login-page">
      <div className="status-screen__top">
        <span className="brand">Giao Ban</span>
        <LanguageSwitch />
      </div>
      <form className="status-screen__card login" onSubmit={(e) => void submit(e)}>
        <h1 className="status-screen__title">{t('login.title')}</h1>
        <p>{t('login.subtitle')}</p>
        <div className="field">
          <label htmlFor="login-user">{t('login.username')}</label>
          <input
            id="login-user"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        </div>
        <div className="field">
          <label htmlFor="login-pass">{t('login.password')}</label>
          <input
            id="login-pass"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </div>
        {error ? (
          <p className="form-error" role="alert">
            {t(error)}
          </p>
        ) : null}
        <button type="submit" className="btn btn--primary" disabled={busy}>
          {t(busy ? 'login.signingIn' : 'login.submit')}
        </button>
        <p className="login__hint">{t('login.joinHint')}</p>
      </form>
    </main>
  );
}
