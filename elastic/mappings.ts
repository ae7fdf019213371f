/**
 * Mappings this project adds to the stack's data streams, through the same `<data stream>@custom`
 * component templates that carry retention (elastic/lifecycle.ts). Only additive changes: a field's
 * own type is kept and a sub-field is added, so nothing another user of the shared data stream
 * relies on changes meaning.
 *
 * - `error.message` on container logs: the kubernetes package maps it `match_only_text` (its
 *   `container_logs/fields/ecs.yml` takes the ECS definition), which cannot be aggregated, so no
 *   dashboard could rank or list error messages. A `keyword` sub-field makes it aggregatable; the
 *   service's error messages come from a fixed catalogue (service/src/errors.ts), so its
 *   cardinality is bounded. `@custom` is composed after `@package` (Kibana Fleet
 *   `epm/elasticsearch/template/template.ts`, `getTemplate`), so this definition is the one that
 *   applies. A template reaches backing indices created after it changes: on a fresh deploy, the
 *   data stream is created after provisioning; an existing data stream gets it in its write index
 *   right after the template (scripts/provision/kinds/data-streams.ts).
 */
import type { estypes } from '@elastic/elasticsearch';

export const ERROR_MESSAGE_KEYWORD = 'error.message.keyword';

/** Keyword sub-fields longer than this are not indexed (the ECS `ignore_above` for keywords). */
const IGNORE_ABOVE = 1024;

export const CUSTOM_MAPPINGS: Readonly<Record<string, estypes.MappingTypeMapping>> = {
  'logs-kubernetes.container_logs@custom': {
    properties: {
      error: {
        properties: {
          message: { type: 'match_only_text', fields: { keyword: { type: 'keyword', ignore_above: IGNORE_ABOVE } } },
        },
      },
    },
  },
};
