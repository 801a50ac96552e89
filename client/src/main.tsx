import './zodConfig';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { localeStore } from './i18n/i18n';
import './styles/base.css';
import './styles/meeting.css';
import './styles/organizer.css';

document.documentElement.lang = localeStore.get().locale;
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
