import { z } from 'zod';

/** A quick-reply option: either sends text as the user, or a postback (with the text shown in chat). */
export const quickReplyOptionSchema = z.union([
  z.object({ label: z.string().min(1).max(20, 'a quick-reply label is at most 20 characters'), text: z.string().min(1).max(300) }).strict(),
  z
    .object({
      label: z.string().min(1).max(20, 'a quick-reply label is at most 20 characters'),
      data: z.string().min(1).max(300, 'postback data is at most 300 characters'),
      displayText: z.string().min(1).max(300).optional(),
    })
    .strict(),
]);

export const templateSchema = z
  .object({
    title: z.string().min(1),
    /** Email subject, for mail templates. */
    subject: z.string().min(1).optional(),
    body: z.string().min(1),
    note: z.string().min(1).optional(),
  })
  .strict();

export const flowFileSchema = z
  .object({
    texts: z.record(z.string(), z.union([z.string().min(1), z.array(z.string().min(1)).min(1)])).optional(),
    quickReplies: z.record(z.string(), z.array(quickReplyOptionSchema).min(1).max(13, 'at most 13 quick-reply items')).optional(),
    templates: z.record(z.string(), templateSchema).optional(),
    checklists: z
      .record(z.string(), z.object({ title: z.string().min(1), items: z.array(z.object({ id: z.string().regex(/^[a-z0-9-]+$/), label: z.string().min(1).max(18, 'a checklist label is at most 18 characters (a ✓ is added in front)'), text: z.string().min(1) }).strict()).min(1).max(12) }).strict())
      .optional(),
  })
  .strict();

export type QuickReplyOption = z.infer<typeof quickReplyOptionSchema>;
export type Template = z.infer<typeof templateSchema>;
export type Checklist = NonNullable<z.infer<typeof flowFileSchema>['checklists']>[string];
export type FlowFile = z.infer<typeof flowFileSchema>;
