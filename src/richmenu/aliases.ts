/**
 * Rich menu alias ids, shared by the deploy command (which points them at the
 * menus it creates) and the stage linker (which resolves them at run time), so
 * the two can never disagree on a name.
 *
 *   akari-main          the plain menu (also the default menu)
 *   akari-<stage>       the menu that highlights <stage>, lower-cased (akari-followup)
 *
 * Lower case because LINE's OpenAPI file allows only ^[a-z0-9_-]{1,32}$ for
 * richMenuAliasId (LINE's prose says A-Z too; the stricter rule is the safe one).
 */
import type { RichMenuStage } from './layout.ts';

export const RICH_MENU_ALIAS_PREFIX = 'akari';

/** LINE's rule for alias ids (spec/line-openapi/messaging-api.yml, CreateRichMenuAliasRequest). */
const ALIAS_ID = /^[a-z0-9_-]{1,32}$/;

/** The alias id of a menu variant; throws if the prefix makes it break LINE's rule. */
export function richMenuAliasId(highlight?: RichMenuStage, prefix: string = RICH_MENU_ALIAS_PREFIX): string {
  const aliasId = `${prefix}-${highlight ?? 'main'}`.toLowerCase();
  if (!ALIAS_ID.test(aliasId)) {
    throw new Error(
      `rich menu alias id ${JSON.stringify(aliasId)} breaks LINE's rule (1 to 32 characters of a-z, 0-9, _ and -): choose a shorter or simpler prefix`,
    );
  }
  return aliasId;
}
