// The words of the call, in both languages.
import { addMessages } from '../i18n.js';

const problems = (en, nl) => ({ en, nl });
const PROBLEMS = {
  mic_denied: problems(
    'The microphone is blocked for this page: allow it in the browser (the icon in the address bar) to be heard.',
    'De microfoon is geblokkeerd voor deze pagina: sta hem toe in de browser (het pictogram in de adresbalk) om gehoord te worden.',
  ),
  mic_missing: problems(
    'No microphone was found. You can still listen.',
    'Er is geen microfoon gevonden. U kunt wel luisteren.',
  ),
  mic_busy: problems(
    'The microphone did not start (another app may be using it).',
    'De microfoon start niet (misschien gebruikt een andere app hem).',
  ),
  cam_denied: problems(
    'The camera is blocked for this page: allow it in the browser to be seen.',
    'De camera is geblokkeerd voor deze pagina: sta hem toe in de browser om gezien te worden.',
  ),
  cam_missing: problems(
    'No camera was found: you are in the call with sound only.',
    'Er is geen camera gevonden: u belt alleen met geluid.',
  ),
  cam_busy: problems(
    'The camera did not start (another app may be using it).',
    'De camera start niet (misschien gebruikt een andere app hem).',
  ),
  speaker_busy: problems(
    'That speaker could not be used; the sound stays where it was.',
    'Die luidspreker kon niet worden gebruikt; het geluid blijft waar het was.',
  ),
  screen_missing: problems('This browser cannot share a screen.', 'Deze browser kan geen scherm delen.'),
  screen_busy: problems('Sharing the screen did not start.', 'Het scherm delen is niet gestart.'),
};

const en = {
  callTitle: 'Call',
  callHint: 'Talk and see each other while files keep flowing. Only people who join the call hear and see you.',
  callJoin: 'Join call',
  callJoinAudio: 'Join with sound only',
  callLeave: 'Leave call',
  callMic: 'Microphone',
  callCamera: 'Camera',
  callScreen: 'Share screen',
  callMicOff: 'Microphone off',
  callCameraOff: 'Camera off',
  callSpeaking: 'speaking',
  callYou: 'You',
  callScreenOf: '{name} (screen)',
  callShortcuts: 'Keys: M microphone, V camera.',
  callChooseMic: 'Microphone',
  callChooseCamera: 'Camera',
  callChooseSpeaker: 'Speaker',
  callDefaultDevice: 'Default',
  callInCall: '{count} in the call',
  callThumbnails: 'More than {limit} people in the call: video is shown small and slow, so everyone keeps good sound.',
  callPeerJoined: '{name} joined the call.',
  callRelayed: 'through the relay',
};
const nl = {
  callTitle: 'Gesprek',
  callHint:
    'Praat en zie elkaar terwijl de bestanden blijven komen. Alleen wie meedoet aan het gesprek hoort en ziet u.',
  callJoin: 'Meedoen aan gesprek',
  callJoinAudio: 'Meedoen met alleen geluid',
  callLeave: 'Gesprek verlaten',
  callMic: 'Microfoon',
  callCamera: 'Camera',
  callScreen: 'Scherm delen',
  callMicOff: 'Microfoon uit',
  callCameraOff: 'Camera uit',
  callSpeaking: 'spreekt',
  callYou: 'U',
  callScreenOf: '{name} (scherm)',
  callShortcuts: 'Toetsen: M microfoon, V camera.',
  callChooseMic: 'Microfoon',
  callChooseCamera: 'Camera',
  callChooseSpeaker: 'Luidspreker',
  callDefaultDevice: 'Standaard',
  callInCall: '{count} in het gesprek',
  callThumbnails:
    'Meer dan {limit} mensen in het gesprek: video wordt klein en traag getoond, zodat iedereen goed geluid houdt.',
  callPeerJoined: '{name} doet mee aan het gesprek.',
  callRelayed: 'via de relayserver',
};
for (const [key, text] of Object.entries(PROBLEMS)) {
  en[`callProblem_${key}`] = text.en;
  nl[`callProblem_${key}`] = text.nl;
}

addMessages({ en, nl });
