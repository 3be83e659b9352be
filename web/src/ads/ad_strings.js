// The words of the ad notice and slot, in both languages.
import { addMessages } from '../i18n.js';

addMessages({
  en: {
    adsNotice: 'The free plan shows ads by Google. Google may use cookies for them, and asks you first.',
    adsChoose: 'Choose ad settings',
    adsNone: 'No ads',
    adsSettings: 'Ad settings',
    adsLabel: 'Advertisement',
  },
  nl: {
    adsNotice:
      'Het gratis abonnement toont advertenties van Google. Google kan daarvoor cookies gebruiken en vraagt u eerst.',
    adsChoose: 'Advertentie-instellingen kiezen',
    adsNone: 'Geen advertenties',
    adsSettings: 'Advertentie-instellingen',
    adsLabel: 'Advertentie',
  },
});
