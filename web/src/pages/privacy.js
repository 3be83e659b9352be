// "/privacy": what the service promises to keep, in both languages; the article of the page's
// language shows, and a language switch shows the other.
import { language } from '../i18n.js';
import { fillPage } from '../app/markup.js';
import { mountAdSlot } from '../ads/ads.js';

const MARKUP = `
<main class="privacy" data-view="privacy" data-testid="privacy">
  <article lang="en" data-privacy-lang="en">
    <h1>Privacy</h1>
    <p>CieloWeb Share moves files, chat and calls directly between the browsers in a room. Our server introduces the browsers to each other and never receives what they exchange.</p>
    <h2>What we never collect</h2>
    <ul>
      <li>Your chat messages.</li>
      <li>The files you send or receive.</li>
      <li>Your audio and video.</li>
      <li>Any other personal information inside your peer-to-peer traffic.</li>
    </ul>
    <p>All of it is encrypted (WebRTC DTLS and DTLS-SRTP) and travels only between the connected browsers, so only you and the people you share with can read it.</p>
    <h2>What an account stores</h2>
    <p>An account is optional. If you create one, we store only what the account needs: your name, username, email address, plan (free or pro) and, if you give it, a company name. Sign-in is handled by Firebase Authentication. We use this to run your account, to tell free and pro plans apart and to give you access to the service.</p>
    <h2 data-testid="privacy-retention">How long we keep it</h2>
    <ul>
      <li>Your profile: until you delete your account. Deletion is immediate and leaves no copy in our database.</li>
      <li>Your date of birth: never. We use it once to check that you are 16 or older and keep only that you passed, when, and under which version of this policy.</li>
      <li>Server logs: 14 days. They never contain your email address, name, username, company or sign-in tokens.</li>
      <li>Backups: 30 days. A list of deleted account ids (nothing else) is replayed after any restore, so a deleted account stays deleted.</li>
    </ul>
    <h2>Ads and cookies</h2>
    <p>Free users and visitors without an account see Google AdSense ads; Google may use cookies to show ads based on earlier visits, and you can turn personalised ads off in Google's ad settings. Pro users see no ads. We use no analytics cookies and do not track what you do.</p>
    <p>Ads appear only on this page and the start page, never in a room or on your account pages. Before anything is loaded from Google we ask you: choose "No ads" and nothing is loaded from Google at all; choose your ad settings and Google asks for your consent to cookies. Without that consent no ad is requested. "Ad settings" at the bottom of the page lets you change your answer at any time.</p>
    <p>What we keep in your browser ourselves, all strictly necessary: the cookie <code>cw_age_gate</code>, set only when the age check refuses an account, holding no date, for one hour, so that the check cannot be retried at once; and, in the browser's own storage (not cookies), your answer to the ad question, your language, the name you use in rooms, whether you signed in here before and, while you are signed in, Firebase's record of your sign-in. Google's cookies are set only after you consent in Google's consent message.</p>
    <h2>Your rights (GDPR)</h2>
    <p>You can view, correct, export and delete your account data at any time from your account page.</p>
    <h2>Age</h2>
    <p>The service is for people aged 16 and over. If we learn that someone under 16 gave us personal information, we delete it.</p>
    <h2>Changes</h2>
    <p>When this policy changes, the new version is published on this page.</p>
  </article>
  <article lang="nl" data-privacy-lang="nl">
    <h1>Privacy</h1>
    <p>CieloWeb Share stuurt bestanden, chat en gesprekken rechtstreeks tussen de browsers in een ruimte. Onze server stelt de browsers aan elkaar voor en ontvangt nooit wat ze uitwisselen.</p>
    <h2>Wat we nooit verzamelen</h2>
    <ul>
      <li>Uw chatberichten.</li>
      <li>De bestanden die u verstuurt of ontvangt.</li>
      <li>Uw audio en video.</li>
      <li>Andere persoonlijke gegevens in uw peer-to-peerverkeer.</li>
    </ul>
    <p>Dat alles is versleuteld (WebRTC DTLS en DTLS-SRTP) en gaat alleen tussen de verbonden browsers, zodat alleen u en de mensen met wie u deelt het kunnen lezen.</p>
    <h2>Wat een account bewaart</h2>
    <p>Een account is optioneel. Maakt u er een aan, dan bewaren we alleen wat het account nodig heeft: uw naam, gebruikersnaam, e-mailadres, abonnement (gratis of pro) en, als u die opgeeft, een bedrijfsnaam. Inloggen loopt via Firebase Authentication. We gebruiken dit om uw account te beheren, gratis en pro van elkaar te onderscheiden en u toegang tot de dienst te geven.</p>
    <h2>Hoe lang we het bewaren</h2>
    <ul>
      <li>Uw profiel: tot u uw account verwijdert. Verwijderen gebeurt direct en laat geen kopie in onze database achter.</li>
      <li>Uw geboortedatum: nooit. We gebruiken die één keer om te controleren dat u 16 jaar of ouder bent en bewaren alleen dat u daaraan voldeed, wanneer, en onder welke versie van dit beleid.</li>
      <li>Serverlogs: 14 dagen. Ze bevatten nooit uw e-mailadres, naam, gebruikersnaam, bedrijfsnaam of inlogtokens.</li>
      <li>Back-ups: 30 dagen. Een lijst van verwijderde account-id's (verder niets) wordt na elk herstel opnieuw toegepast, zodat een verwijderd account verwijderd blijft.</li>
    </ul>
    <h2>Advertenties en cookies</h2>
    <p>Gratis gebruikers en bezoekers zonder account zien advertenties van Google AdSense; Google kan cookies gebruiken om advertenties te tonen op basis van eerdere bezoeken, en u kunt gepersonaliseerde advertenties uitzetten in de advertentie-instellingen van Google. Pro-gebruikers zien geen advertenties. We gebruiken geen analytische cookies en volgen niet wat u doet.</p>
    <p>Advertenties staan alleen op deze pagina en op de startpagina, nooit in een kamer of op uw accountpagina's. Voordat er iets van Google wordt geladen, vragen we het u: kiest u "Geen advertenties", dan wordt er helemaal niets van Google geladen; kiest u uw advertentie-instellingen, dan vraagt Google uw toestemming voor cookies. Zonder die toestemming wordt geen advertentie opgevraagd. Met "Advertentie-instellingen" onderaan de pagina wijzigt u uw antwoord op elk moment.</p>
    <p>Wat we zelf in uw browser bewaren, allemaal strikt noodzakelijk: de cookie <code>cw_age_gate</code>, alleen gezet als de leeftijdscontrole een account weigert, zonder datum, voor één uur, zodat de controle niet meteen opnieuw kan; en, in de eigen opslag van de browser (geen cookies), uw antwoord op de advertentievraag, uw taal, de naam die u in kamers gebruikt, of u hier eerder bent ingelogd en, zolang u bent ingelogd, de aanmelding bij Firebase. De cookies van Google worden pas gezet nadat u toestemming geeft in de toestemmingsmelding van Google.</p>
    <h2>Uw rechten (AVG)</h2>
    <p>U kunt uw accountgegevens op elk moment inzien, corrigeren, exporteren en verwijderen via uw accountpagina.</p>
    <h2>Leeftijd</h2>
    <p>De dienst is bedoeld voor mensen van 16 jaar en ouder. Horen we dat iemand onder de 16 ons persoonlijke gegevens heeft gegeven, dan verwijderen we die.</p>
    <h2>Wijzigingen</h2>
    <p>Verandert dit beleid, dan publiceren we de nieuwe versie op deze pagina.</p>
  </article>
</main>`;

export function mount(root) {
  const { page } = fillPage(root, MARKUP);
  const showLanguage = () => {
    for (const article of page.querySelectorAll('[data-privacy-lang]'))
      article.hidden = article.dataset.privacyLang !== language();
  };
  showLanguage();
  const abort = new AbortController();
  document.addEventListener('languagechange', showLanguage, { signal: abort.signal });
  const unmountAdSlot = mountAdSlot(page, 'privacy');
  return () => {
    abort.abort();
    unmountAdSlot();
  };
}
