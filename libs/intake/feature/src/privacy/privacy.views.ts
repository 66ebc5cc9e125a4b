import { ApiProperty } from '@nestjs/swagger';
import { ERASURE_SLICES } from '@sms/contracts';

export class CreateErasureDto {
  @ApiProperty({ example: '+447400123456', description: "The person's number, E.164" })
  number!: string;
}

export class ErasureSliceResponse {
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'eu',
    description: 'The region whose stores this slice erased (every region erases in its own); null without regions',
  })
  region!: string | null;

  @ApiProperty({ enum: ERASURE_SLICES })
  slice!: string;

  @ApiProperty({ enum: ['pending', 'completed'] })
  status!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: 'Rows (keys, archive files) changed per store; empty while pending',
    example: { sms_messages: 3, message_events: 0 },
  })
  stores!: Record<string, number>;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  erasedAt!: string | null;
}

export class ErasureResponse {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['pending', 'completed'] })
  status!: string;

  @ApiProperty({
    example: 'e:Qm9vM2tYd2FzZ1',
    description: 'The salted token that replaced the number everywhere (the same for every erasure of a number)',
  })
  numberHash!: string;

  @ApiProperty({ format: 'uuid', description: 'The API key that asked' })
  requestedBy!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  completedAt!: string | null;

  @ApiProperty({ type: [ErasureSliceResponse] })
  slices!: ErasureSliceResponse[];
}
