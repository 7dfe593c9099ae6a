/**
 * Names of places outside the default district that addresses mention: Beijing's other
 * districts (with 宣武区, merged into 西城区 in 2010, and the former 县 of 密云 and 延庆) and
 * China's other provinces and municipalities, their capitals and other large cities. An address that names one is answered as outside
 * the loaded area, never matched to a road here that happens to share a name. A name the store
 * holds (a loaded district, or an alias of one) is not outside and is left out by the gazetteer.
 * Public administrative names (国家统计局 区划代码, 2023).
 */
export const OUTSIDE_PLACES: readonly string[] = [
  // Beijing
  '东城区', '西城区', '朝阳区', '丰台区', '石景山区', '海淀区', '门头沟区', '房山区', '通州区', '顺义区',
  '昌平区', '大兴区', '怀柔区', '平谷区', '密云区', '延庆区', '宣武区', '崇文区', '密云县', '延庆县',
  // other provinces, municipalities and autonomous regions
  '天津市', '上海市', '重庆市', '河北省', '山西省', '辽宁省', '吉林省', '黑龙江省', '江苏省', '浙江省',
  '安徽省', '福建省', '江西省', '山东省', '河南省', '湖北省', '湖南省', '广东省', '海南省', '四川省',
  '贵州省', '云南省', '陕西省', '甘肃省', '青海省', '台湾省', '内蒙古自治区', '广西壮族自治区',
  '西藏自治区', '宁夏回族自治区', '新疆维吾尔自治区', '香港特别行政区', '澳门特别行政区',
  // provincial capitals and the other large cities addresses start with (广州 多福巷12号 is not here)
  '石家庄市', '太原市', '沈阳市', '长春市', '哈尔滨市', '南京市', '杭州市', '合肥市', '福州市', '南昌市',
  '济南市', '郑州市', '武汉市', '长沙市', '广州市', '海口市', '成都市', '贵阳市', '昆明市', '西安市',
  '兰州市', '西宁市', '呼和浩特市', '南宁市', '拉萨市', '银川市', '乌鲁木齐市', '深圳市', '大连市', '青岛市',
  '宁波市', '厦门市', '苏州市', '无锡市', '唐山市', '保定市', '廊坊市',
];
