// The one module that touches the Firebase JS SDK (firebase/app and firebase/auth, modular). It is
// reached only through session_loader.js's dynamic import(), so the SDK is a chunk of its own that
// a person who never signs in never downloads, and the room page never loads.
//
// One session per page load: the Firebase app and its Auth instance, with the sign-in kept in
// IndexedDB (Firebase's own store; localStorage where IndexedDB is missing). No popup resolver is
// installed up front (it would load Google's auth iframe on every start); Google sign-in passes it.
import { initializeApp } from 'firebase/app';
import {
  browserLocalPersistence,
  browserPopupRedirectResolver,
  connectAuthEmulator,
  createUserWithEmailAndPassword,
  deleteUser,
  EmailAuthProvider,
  GoogleAuthProvider,
  indexedDBLocalPersistence,
  initializeAuth,
  onAuthStateChanged,
  reauthenticateWithCredential,
  reauthenticateWithPopup,
  reload,
  sendEmailVerification,
  sendPasswordResetEmail,
  signInWithEmailAndPassword,
  signInWithPopup,
  signOut,
  verifyBeforeUpdateEmail,
} from 'firebase/auth';

class FirebaseSession {
  // config: GET /api/auth-config's answer with enabled: true.
  constructor(config) {
    this.googleSignIn_ = config.googleSignIn === true;
    const app = initializeApp(
      {
        // The emulator takes any key; a real project's key comes from the server's configuration.
        apiKey: config.apiKey || (config.emulator ? 'emulator-key' : ''),
        authDomain: config.authDomain || undefined,
        projectId: config.projectId,
      },
      'cieloweb',
    );
    this.auth_ = initializeAuth(app, { persistence: [indexedDBLocalPersistence, browserLocalPersistence] });
    if (config.emulator) connectAuthEmulator(this.auth_, config.emulator, { disableWarnings: true });
  }

  // The signed-in Firebase user once the stored sign-in has been read, or null.
  async ready() {
    await this.auth_.authStateReady();
    return this.auth_.currentUser;
  }

  user() {
    return this.auth_.currentUser;
  }

  get googleSignIn() {
    return this.googleSignIn_;
  }

  // calls back with the user (or null) whenever the sign-in changes; returns the unsubscribe.
  onChange(callback) {
    return onAuthStateChanged(this.auth_, callback);
  }

  setLanguage(code) {
    this.auth_.languageCode = code;
  }

  // The current ID token (refreshed by the SDK when it is about to expire, or now when `force`).
  async idToken(force = false) {
    const user = this.auth_.currentUser;
    return user ? user.getIdToken(force) : null;
  }

  // The provider ids of the signed-in user: 'password', 'google.com'.
  providers() {
    return (this.auth_.currentUser?.providerData ?? []).map((p) => p.providerId);
  }

  // Reads the user's current state from Firebase (a verified email, an applied email change).
  async refresh() {
    const user = this.auth_.currentUser;
    if (!user) return null;
    await reload(user);
    return this.auth_.currentUser;
  }

  async signIn(email, password) {
    return (await signInWithEmailAndPassword(this.auth_, email, password)).user;
  }

  async signInWithGoogle() {
    return (await signInWithPopup(this.auth_, new GoogleAuthProvider(), browserPopupRedirectResolver)).user;
  }

  // Makes the Firebase user and asks Firebase to send the verification mail. Whether the mail went
  // out is the `verificationSent` answer; the account exists either way.
  async signUp(email, password) {
    const { user } = await createUserWithEmailAndPassword(this.auth_, email, password);
    let verificationSent = true;
    try {
      await sendEmailVerification(user);
    } catch {
      verificationSent = false;
    }
    return { user, verificationSent };
  }

  async resendVerification() {
    const user = this.auth_.currentUser;
    if (user) await sendEmailVerification(user);
  }

  async sendPasswordReset(email) {
    await sendPasswordResetEmail(this.auth_, email);
  }

  // A recent sign-in, for deletion and email changes: with the password, or Google's popup.
  async reauthenticate(password) {
    const user = this.auth_.currentUser;
    if (!user) throw Object.assign(new Error('signed out'), { code: 'auth/no-current-user' });
    if (password === null) {
      await reauthenticateWithPopup(user, new GoogleAuthProvider(), browserPopupRedirectResolver);
    } else {
      await reauthenticateWithCredential(user, EmailAuthProvider.credential(user.email, password));
    }
  }

  // Firebase mails a link to `email`; the account's email changes when it is opened.
  async changeEmail(email) {
    const user = this.auth_.currentUser;
    if (!user) throw Object.assign(new Error('signed out'), { code: 'auth/no-current-user' });
    await verifyBeforeUpdateEmail(user, email);
  }

  // Deletes the Firebase user itself (after the server removed the profile and answered "left").
  async deleteFirebaseUser() {
    const user = this.auth_.currentUser;
    if (user) await deleteUser(user);
  }

  async signOut() {
    await signOut(this.auth_);
  }
}

let session = null;

export function openSession(config) {
  session ??= new FirebaseSession(config);
  return session;
}
