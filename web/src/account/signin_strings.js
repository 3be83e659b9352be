// The words of the sign-in page and of the profile form (sign-up, and finishing a profile on the
// dashboard), in English and Dutch, plus the wording of Firebase's and the server's error codes.
import { addMessages } from '../i18n.js';

addMessages({
  en: {
    acctOff: 'Accounts are not available on this service. Rooms, files, chat and calls work without one.',
    acctLoadFailed: 'The sign-in could not be loaded. Check your connection and reload the page.',
    acctAlready: 'You are signed in.',
    acctGoToAccount: 'Go to your account',
    acctTabSignIn: 'Sign in',
    acctTabSignUp: 'Create an account',
    acctSignInTitle: 'Sign in',
    acctSignUpTitle: 'Create an account',
    acctSignUpLead: 'An account is optional. It keeps only what is listed on the privacy page.',
    acctEmail: 'Email address',
    acctPassword: 'Password',
    acctPasswordNew: 'Password (at least 8 characters)',
    acctSignInButton: 'Sign in',
    acctForgot: 'Forgot your password?',
    acctResetTitle: 'Set a new password',
    acctResetButton: 'Send me a link',
    acctResetSent: 'If there is an account for this address, a link to set a new password is on its way.',
    acctBack: 'Back',
    acctGoogle: 'Sign in with Google',
    acctOr: 'or',
    acctName: 'Name',
    acctUsername: 'Username',
    acctUsernameHint: '3 to 32 characters: letters, digits, _ . -',
    acctCompany: 'Company (optional)',
    acctBirthDate: 'Date of birth',
    acctDay: 'Day',
    acctMonth: 'Month',
    acctYear: 'Year',
    acctCreateButton: 'Create account',
    acctFinishButton: 'Save',
    acctWorking: 'One moment…',
    acctRefused: 'We cannot create an account for you.',
    acctRefusedMore: 'You can still use rooms, files, chat and calls without an account.',
    acctFinishNote:
      'Your sign-in has been made, but your profile is not saved yet. Correct what is marked and save again.',
    acctAgeAgain: 'Please enter your date of birth again.',
    errBirthDate: 'Enter a valid date.',
    errUsernameTaken: 'This username is taken. Choose another one.',
    errInvalidField: 'This value cannot be used.',
    errEmailInUse: 'There is already an account with this email address. Sign in instead.',
    errInvalidEmail: 'This is not a valid email address.',
    errWeakPassword: 'Choose a longer password (at least 8 characters).',
    errWrongCredentials: 'The email address or password is not right.',
    errTooMany: 'Too many attempts. Wait a few minutes and try again.',
    errNetwork: 'Could not reach the service. Check your connection and try again.',
    errPopup: 'The Google window was closed before the sign-in finished.',
    errDisabled: 'This account has been disabled.',
    errRecentSignIn: 'For your safety, enter your password again.',
    errAccountDeleted: 'This account has been deleted.',
    errGeneric: 'Something went wrong ({detail}). Please try again.',
  },
  nl: {
    acctOff: 'Accounts zijn niet beschikbaar op deze dienst. Ruimtes, bestanden, chat en gesprekken werken zonder.',
    acctLoadFailed: 'Inloggen kon niet worden geladen. Controleer uw verbinding en laad de pagina opnieuw.',
    acctAlready: 'U bent ingelogd.',
    acctGoToAccount: 'Naar uw account',
    acctTabSignIn: 'Inloggen',
    acctTabSignUp: 'Account aanmaken',
    acctSignInTitle: 'Inloggen',
    acctSignUpTitle: 'Account aanmaken',
    acctSignUpLead: 'Een account is optioneel. Het bewaart alleen wat op de privacypagina staat.',
    acctEmail: 'E-mailadres',
    acctPassword: 'Wachtwoord',
    acctPasswordNew: 'Wachtwoord (minstens 8 tekens)',
    acctSignInButton: 'Inloggen',
    acctForgot: 'Wachtwoord vergeten?',
    acctResetTitle: 'Nieuw wachtwoord instellen',
    acctResetButton: 'Stuur mij een link',
    acctResetSent:
      'Als er een account met dit adres bestaat, is er een link onderweg om een nieuw wachtwoord in te stellen.',
    acctBack: 'Terug',
    acctGoogle: 'Inloggen met Google',
    acctOr: 'of',
    acctName: 'Naam',
    acctUsername: 'Gebruikersnaam',
    acctUsernameHint: '3 tot 32 tekens: letters, cijfers, _ . -',
    acctCompany: 'Bedrijf (optioneel)',
    acctBirthDate: 'Geboortedatum',
    acctDay: 'Dag',
    acctMonth: 'Maand',
    acctYear: 'Jaar',
    acctCreateButton: 'Account aanmaken',
    acctFinishButton: 'Opslaan',
    acctWorking: 'Een moment…',
    acctRefused: 'We kunnen geen account voor u aanmaken.',
    acctRefusedMore: 'U kunt ruimtes, bestanden, chat en gesprekken nog steeds zonder account gebruiken.',
    acctFinishNote:
      'Uw inlog is aangemaakt, maar uw profiel is nog niet opgeslagen. Verbeter wat gemarkeerd is en sla opnieuw op.',
    acctAgeAgain: 'Vul uw geboortedatum opnieuw in.',
    errBirthDate: 'Vul een geldige datum in.',
    errUsernameTaken: 'Deze gebruikersnaam is al in gebruik. Kies een andere.',
    errInvalidField: 'Deze waarde kan niet worden gebruikt.',
    errEmailInUse: 'Er bestaat al een account met dit e-mailadres. Log in plaats daarvan in.',
    errInvalidEmail: 'Dit is geen geldig e-mailadres.',
    errWeakPassword: 'Kies een langer wachtwoord (minstens 8 tekens).',
    errWrongCredentials: 'Het e-mailadres of wachtwoord klopt niet.',
    errTooMany: 'Te veel pogingen. Wacht een paar minuten en probeer het opnieuw.',
    errNetwork: 'De dienst is niet bereikbaar. Controleer uw verbinding en probeer het opnieuw.',
    errPopup: 'Het Google-venster werd gesloten voordat het inloggen klaar was.',
    errDisabled: 'Dit account is uitgeschakeld.',
    errRecentSignIn: 'Vul voor uw veiligheid uw wachtwoord opnieuw in.',
    errAccountDeleted: 'Dit account is verwijderd.',
    errGeneric: 'Er ging iets mis ({detail}). Probeer het opnieuw.',
  },
});

// The message key for a Firebase Auth error (its `code`), and the field it belongs next to.
export function authError(error) {
  const code = error?.code ?? '';
  switch (code) {
    case 'auth/email-already-in-use':
      return { key: 'errEmailInUse', field: 'email' };
    case 'auth/invalid-email':
      return { key: 'errInvalidEmail', field: 'email' };
    case 'auth/weak-password':
    case 'auth/password-does-not-meet-requirements':
      return { key: 'errWeakPassword', field: 'password' };
    case 'auth/invalid-credential':
    case 'auth/invalid-login-credentials':
    case 'auth/wrong-password':
    case 'auth/user-not-found':
    case 'auth/user-mismatch':
      return { key: 'errWrongCredentials', field: 'password' };
    case 'auth/too-many-requests':
      return { key: 'errTooMany' };
    case 'auth/network-request-failed':
      return { key: 'errNetwork' };
    case 'auth/popup-closed-by-user':
    case 'auth/cancelled-popup-request':
    case 'auth/popup-blocked':
      return { key: 'errPopup' };
    case 'auth/user-disabled':
      return { key: 'errDisabled' };
    case 'auth/requires-recent-login':
      return { key: 'errRecentSignIn', field: 'password' };
    default:
      return { key: 'errGeneric', detail: code || error?.message || 'error' };
  }
}
